//! Taking the terminal over and giving it back: raw mode, the alternate screen, mouse and
//! bracketed paste. It is given back on every way out: a normal quit, an error, a panic.

use std::io::{self, BufWriter, Stdout, Write};
use std::sync::{Once, OnceLock};
use std::thread::ThreadId;

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Frames are written in one go: a buffered stdout flushed once per frame.
pub type Backend = CrosstermBackend<BufWriter<Stdout>>;

/// The terminal while the interface owns it; dropping it restores the terminal.
pub struct Screen {
    pub terminal: Terminal<Backend>,
}

/// The thread that draws: a panic there ends the interface, one anywhere else does not.
static UI_THREAD: OnceLock<ThreadId> = OnceLock::new();

impl Screen {
    pub fn take() -> io::Result<Self> {
        let _ = UI_THREAD.set(std::thread::current().id());
        install_panic_hook();
        enable_raw_mode()?;
        let setup = execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        );
        if let Err(error) = setup {
            restore();
            return Err(error);
        }
        let backend = CrosstermBackend::new(BufWriter::with_capacity(1 << 16, io::stdout()));
        match Terminal::new(backend) {
            Ok(terminal) => Ok(Self { terminal }),
            Err(error) => {
                restore();
                Err(error)
            }
        }
    }
}

impl Screen {
    /// Gives the terminal to another program (the user's editor): the alternate screen,
    /// raw mode and mouse reporting are left, as the shell had them.
    pub fn hand_over(&mut self) -> io::Result<()> {
        self.terminal.backend_mut().flush()?;
        restore();
        Ok(())
    }

    /// Takes the terminal back after [`Self::hand_over`]; the next frame redraws everything.
    pub fn take_back(&mut self) -> io::Result<()> {
        enable_raw_mode()?;
        execute!(
            io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            EnableBracketedPaste
        )?;
        self.terminal.clear()
    }

    /// Writes bytes to the terminal between frames (an OSC 52 copy).
    pub fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        let backend = self.terminal.backend_mut();
        backend.write_all(bytes)?;
        backend.flush()
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        let _ = self.terminal.backend_mut().flush();
        restore();
    }
}

/// Puts the terminal back as the shell expects it. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        Show
    );
}

/// A panic on the drawing thread restores the terminal before the message is printed, so
/// the message is readable and the shell is usable. A panic on a background thread (a job
/// the interface survives and reports) goes to the log: printed, it would land in the
/// middle of the screen.
fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let on_ui = UI_THREAD.get() == Some(&std::thread::current().id());
            if on_ui {
                restore();
                previous(info);
            } else {
                let thread = std::thread::current();
                tracing::error!(thread = thread.name().unwrap_or("unnamed"), "panic: {info}");
            }
        }));
    });
}
