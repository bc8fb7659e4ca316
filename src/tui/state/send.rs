//! Copy, replay and compare: the keys that send a capture somewhere (the clipboard, a URL,
//! the user's editor), the target prompt and its memory, the bulk replay's progress, and
//! what comes back.

use std::sync::Arc;

use super::detail::Tab;
use super::prompt::{Prompt, PromptKind};
use super::{Overlay, State};
use crate::capture::CaptureId;
use crate::copy::CopyItem;
use crate::replay::Target;
use crate::replay::bulk::{BulkOptions, Pace, Sent, Tally};
use crate::tui::jobs::JobId;
use crate::tui::message::{CopyReport, DiffRequest, EditOutcome, Effect, Job, ReplayReport};
use crate::units::plural;

/// Speed factors offered for a bulk replay at the original pace.
pub const SPEEDS: [u32; 6] = [1, 2, 5, 10, 50, 100];

#[derive(Debug, Default)]
pub struct SendState {
    /// The URL typed last, offered next time.
    pub last_target: Option<String>,
    /// The first `--forward-to` target, offered until a URL is typed.
    pub forward_target: Option<String>,
    /// What the open target prompt is for.
    pub plan: Option<ReplayPlan>,
    /// Why the typed target is not a URL to send to.
    pub plan_error: Option<String>,
    pub running: Option<RunningReplay>,
    /// Forwards that got no answer since the interface started, for the header.
    pub forward_failures: u64,
}

/// What to do once a target is typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayPlan {
    One(CaptureId),
    Many(Vec<CaptureId>),
    Edit(CaptureId),
}

/// A replay the queue is running (or about to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningReplay {
    pub job: Option<JobId>,
    pub target: String,
    pub tally: Tally,
}

/// The choice of pace before a bulk replay starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkChoice {
    pub ids: Vec<CaptureId>,
    pub target: Target,
    /// An index into [`SPEEDS`].
    pub speed: usize,
}

/// A replay that did not parse after editing, waiting for the user to edit it again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditRetry {
    pub id: CaptureId,
    pub text: Vec<u8>,
    pub target: Target,
    pub error: String,
}

impl State {
    /// `r`: the marked captures if there are any, else the selected one.
    pub(super) fn start_replay(&mut self) {
        let plan = if self.list.marked.is_empty() {
            match self.list.selected {
                Some(id) => ReplayPlan::One(id),
                None => return self.status.info(self.clock.instant, "nothing to replay"),
            }
        } else {
            ReplayPlan::Many(self.list.marked.iter().copied().collect())
        };
        self.ask_target(plan);
    }

    /// `A`: every capture the list shows, in capture order.
    pub(super) fn start_replay_shown(&mut self) {
        let ids = self.list.shown().to_vec();
        if ids.is_empty() {
            return self.status.info(self.clock.instant, "nothing to replay");
        }
        self.ask_target(ReplayPlan::Many(ids));
    }

    /// `R`: the selected capture, through the editor.
    pub(super) fn start_edit_replay(&mut self) {
        match self.list.selected {
            Some(id) => self.ask_target(ReplayPlan::Edit(id)),
            None => self.status.info(self.clock.instant, "nothing to replay"),
        }
    }

    fn ask_target(&mut self, plan: ReplayPlan) {
        if self.send.running.is_some() {
            return self.status.info(
                self.clock.instant,
                "a replay is still running (esc cancels it)",
            );
        }
        let offered = self
            .send
            .last_target
            .clone()
            .or_else(|| self.send.forward_target.clone())
            .unwrap_or_else(|| "http://localhost:3000".to_owned());
        self.send.plan = Some(plan);
        self.prompt = Some(Prompt::new(PromptKind::ReplayTarget, &offered));
    }

    /// Enter in the target prompt.
    pub(super) fn target_entered(&mut self, text: &str, effects: &mut Vec<Effect>) -> bool {
        let target = match Target::parse(text) {
            Ok(target) => target,
            Err(error) => {
                self.send.plan_error = Some(error.to_string());
                return false;
            }
        };
        self.send.plan_error = None;
        self.send.last_target = Some(text.trim().to_owned());
        match self.send.plan.take() {
            Some(ReplayPlan::One(id)) => {
                self.replay(vec![id], target, BulkOptions::default(), effects)
            }
            Some(ReplayPlan::Edit(id)) => effects.push(Effect::Edit {
                id,
                target,
                text: None,
            }),
            Some(ReplayPlan::Many(ids)) => {
                self.overlay = Overlay::ConfirmReplay(BulkChoice {
                    ids,
                    target,
                    speed: 0,
                });
            }
            None => {}
        }
        true
    }

    /// Keys in the bulk replay dialog: `f` fast, `o` original pace, `+`/`-` speed.
    pub(super) fn bulk_choice_key(&mut self, key: char, effects: &mut Vec<Effect>) {
        let Overlay::ConfirmReplay(choice) = &mut self.overlay else {
            return;
        };
        let pace = match key {
            '+' => {
                choice.speed = (choice.speed + 1).min(SPEEDS.len() - 1);
                return;
            }
            '-' => {
                choice.speed = choice.speed.saturating_sub(1);
                return;
            }
            'f' | '\n' => Pace::Fast,
            'o' => Pace::Original,
            _ => {
                self.overlay = Overlay::None;
                return self.status.info(self.clock.instant, "nothing was replayed");
            }
        };
        let choice = choice.clone();
        self.overlay = Overlay::None;
        let options = BulkOptions {
            pace,
            speed: f64::from(SPEEDS[choice.speed]),
            ..BulkOptions::default()
        };
        self.replay(choice.ids, choice.target, options, effects);
    }

    fn replay(
        &mut self,
        ids: Vec<CaptureId>,
        target: Target,
        options: BulkOptions,
        effects: &mut Vec<Effect>,
    ) {
        self.send.running = Some(RunningReplay {
            job: None,
            target: target.to_string(),
            tally: Tally {
                total: ids.len(),
                ..Tally::default()
            },
        });
        effects.push(Effect::Run(Job::Replay {
            ids,
            target,
            options,
        }));
    }

    /// The queue took the replay: its id cancels it.
    pub fn replay_started(&mut self, job: JobId) {
        if let Some(running) = &mut self.send.running
            && running.job.is_none()
        {
            running.job = Some(job);
        }
    }

    /// Esc while a replay runs.
    pub(super) fn cancel_replay(&mut self, effects: &mut Vec<Effect>) -> bool {
        match self.send.running.as_ref().and_then(|r| r.job) {
            Some(job) => {
                effects.push(Effect::CancelJob(job));
                self.status
                    .info(self.clock.instant, "cancelling the replay…");
                true
            }
            None => false,
        }
    }

    pub(super) fn on_replay(&mut self, report: ReplayReport) {
        match report {
            ReplayReport::Progress { job, tally } => {
                if let Some(running) = &mut self.send.running
                    && running.job == Some(job)
                {
                    running.tally = tally;
                }
            }
            ReplayReport::Finished {
                target,
                tally,
                cancelled,
                elapsed,
                single,
                ..
            } => {
                self.send.running = None;
                let now = self.clock.instant;
                match single.as_deref() {
                    Some(Sent::Attempted(attempt)) => match &attempt.response {
                        Some(response) => self.status.info(
                            now,
                            format!(
                                "replayed #{} to {target}: {} {} in {} (see the Replays tab)",
                                attempt.capture_id,
                                response.status,
                                response.reason,
                                crate::units::format_duration(attempt.elapsed)
                            ),
                        ),
                        None => self.status.error(
                            now,
                            format!(
                                "replay of #{} failed: {}",
                                attempt.capture_id,
                                attempt.error.as_deref().unwrap_or("no response")
                            ),
                        ),
                    },
                    Some(Sent::Missing(id)) => self
                        .status
                        .error(now, format!("capture #{id} is no longer in the store")),
                    None => {
                        let verb = if cancelled {
                            "cancelled after"
                        } else {
                            "replayed"
                        };
                        let text = format!(
                            "{verb} {} of {} to {target} in {}: {} answered, {} failed",
                            tally.done(),
                            plural(tally.total, "capture"),
                            crate::units::format_duration(elapsed),
                            tally.answered,
                            tally.failed
                        );
                        if tally.failed > 0 {
                            self.status.error(now, text);
                        } else {
                            self.status.info(now, text);
                        }
                    }
                }
            }
        }
    }

    /// `y`: the copy menu, for the selected capture.
    pub(super) fn open_copy_menu(&mut self) {
        if self.list.selected.is_none() {
            return self.status.info(self.clock.instant, "nothing to copy");
        }
        self.overlay = Overlay::CopyMenu;
    }

    pub(super) fn copy_menu_key(&mut self, key: char, effects: &mut Vec<Effect>) {
        self.overlay = Overlay::None;
        let (Some(item), Some(id)) = (
            CopyItem::ALL.into_iter().find(|item| item.key() == key),
            self.list.selected,
        ) else {
            return;
        };
        let pointer = self.detail.view.as_ref().and_then(|view| {
            view.findings
                .get(self.detail.finding)
                .map(|finding| finding.pointer.clone())
        });
        effects.push(Effect::Run(Job::Copy { item, id, pointer }));
    }

    pub(super) fn on_copied(
        &mut self,
        result: Result<CopyReport, String>,
        effects: &mut Vec<Effect>,
    ) {
        match result {
            Ok(report) => {
                if let Some(sequence) = report.sequence {
                    effects.push(Effect::WriteTerminal(sequence));
                }
                self.status.info(self.clock.instant, report.message);
            }
            Err(error) => self.status.error(self.clock.instant, error),
        }
    }

    /// `=`: two marked captures, or in the Replays tab the selected attempt's request
    /// against its capture.
    pub(super) fn start_diff(&mut self, effects: &mut Vec<Effect>) {
        if self.detail.tab == Tab::Replays
            && let Some(view) = &self.detail.view
            && let Some(attempt) = view.attempts.get(self.detail.attempt)
        {
            return effects.push(Effect::Diff(DiffRequest::Attempt {
                capture: view.id(),
                attempt: Arc::new(attempt.attempt.clone()),
            }));
        }
        let marked: Vec<CaptureId> = self.list.marked.iter().copied().collect();
        match marked.as_slice() {
            [a, b] => effects.push(Effect::Diff(DiffRequest::Captures(*a, *b))),
            _ => self.status.info(
                self.clock.instant,
                format!(
                    "mark two captures with {} to compare them ({} marked), or pick a replay in the Replays tab",
                    self.key_name(crate::tui::action::Action::Mark),
                    marked.len()
                ),
            ),
        }
    }

    pub(super) fn after_edit(&mut self, outcome: EditOutcome, effects: &mut Vec<Effect>) {
        let now = self.clock.instant;
        match outcome {
            EditOutcome::Ready {
                id,
                request,
                target,
            } => {
                self.send.running = Some(RunningReplay {
                    job: None,
                    target: target.to_string(),
                    tally: Tally {
                        total: 1,
                        ..Tally::default()
                    },
                });
                effects.push(Effect::Run(Job::SendEdited {
                    id,
                    request,
                    target,
                }));
            }
            EditOutcome::Unparsable {
                id,
                text,
                target,
                error,
            } => {
                self.overlay = Overlay::EditFailed(EditRetry {
                    id,
                    text,
                    target,
                    error,
                });
            }
            EditOutcome::Unchanged => self
                .status
                .info(now, "the editor closed without saving: nothing was sent"),
            EditOutcome::Failed(error) => self.status.error(now, error),
        }
    }

    /// Keys in the "does not parse" dialog: `e` (or enter) edits the same text again.
    pub(super) fn edit_retry_key(&mut self, again: bool, effects: &mut Vec<Effect>) {
        let Overlay::EditFailed(retry) = std::mem::take(&mut self.overlay) else {
            return;
        };
        if again {
            effects.push(Effect::Edit {
                id: retry.id,
                target: retry.target,
                text: Some(retry.text),
            });
        } else {
            self.status.info(self.clock.instant, "nothing was sent");
        }
    }

    fn key_name(&self, action: crate::tui::action::Action) -> String {
        self.keymap
            .first_key(action)
            .map_or_else(|| action.name().to_owned(), |key| key.to_string())
    }
}
