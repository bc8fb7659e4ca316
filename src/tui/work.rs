//! The interface's queued jobs: what the user asked for that writes, copies or sends
//! (delete, clear, copy, replay, bulk replay), run one after another off the UI thread.
//! Each reports back as a message; a bulk replay also reports its progress as it goes.

use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::Instant;

use chrono::Utc;

use super::jobs::{JobControl, JobId};
use super::message::{CopyReport, Job, Message, ReplayReport};
use crate::attempt::AttemptKind;
use crate::capture::CaptureId;
use crate::copy::{Clipboard, ClipboardMode, CopyItem};
use crate::inspect::vendor_of;
use crate::replay::bulk::{Bulk, BulkOptions, Sent, replay_all};
use crate::replay::exchange::exchange_prepared;
use crate::replay::resign::resign_request;
use crate::replay::{Client, OutgoingRequest, SendOptions, Target};
use crate::store::{Database, StoreError, WriterHandle};

/// What the queued jobs run with. The clipboard handle lives as long as the interface: on
/// X11 what was copied is gone once the handle is dropped.
pub struct Worker {
    pub db: Database,
    pub writer: WriterHandle,
    pub runtime: tokio::runtime::Handle,
    pub outbox: Sender<Message>,
    pub clipboard: Clipboard,
    pub client: Client,
    /// Replays are signed afresh for their vendor (`--resign`).
    pub resign: bool,
}

impl Worker {
    pub fn new(
        db: Database,
        writer: WriterHandle,
        runtime: tokio::runtime::Handle,
        outbox: Sender<Message>,
        clipboard: ClipboardMode,
        insecure: bool,
        resign: bool,
    ) -> Self {
        Self {
            db,
            writer,
            runtime,
            outbox,
            clipboard: Clipboard::new(clipboard),
            client: Client::new(SendOptions {
                insecure,
                ..SendOptions::default()
            }),
            resign,
        }
    }

    pub fn run(&mut self, job: Job, control: &JobControl) {
        let message = match job {
            Job::Delete(id) => Message::Deleted {
                id,
                result: self.writer.delete_blocking(id).map_err(|e| e.to_string()),
            },
            Job::Clear => Message::Cleared(self.writer.clear_blocking().map_err(|e| e.to_string())),
            Job::Copy { item, id, pointer } => Message::Copied(self.copy(item, id, pointer)),
            Job::Replay {
                ids,
                target,
                options,
            } => Message::Replay(self.replay(control, &ids, &target, &options)),
            Job::SendEdited {
                id,
                request,
                target,
            } => Message::Replay(self.send_edited(control.id, id, &request, &target)),
        };
        let _ = self.outbox.send(message);
    }

    fn copy(
        &mut self,
        item: CopyItem,
        id: CaptureId,
        pointer: Option<String>,
    ) -> Result<CopyReport, String> {
        let capture = self
            .db
            .get(id)
            .map_err(|e| format!("cannot read capture #{id}: {e}"))?
            .ok_or_else(|| format!("capture #{id} is no longer in the store"))?;
        let text =
            crate::copy::content(item, &capture, pointer.as_deref()).map_err(|e| e.to_string())?;
        let copied = self.clipboard.copy(&text).map_err(|e| e.to_string())?;
        Ok(CopyReport {
            message: crate::copy::describe(&copied, &format!("the {}", item.label())),
            sequence: copied.sequence,
        })
    }

    fn replay(
        &mut self,
        control: &JobControl,
        ids: &[CaptureId],
        target: &Target,
        options: &BulkOptions,
    ) -> ReplayReport {
        let started = Instant::now();
        let cancel = control.cancel_flag();
        let outbox = self.outbox.clone();
        let job = control.id;
        let db = &self.db;
        let mut last = None;
        let options = BulkOptions {
            resign: self.resign,
            ..options.clone()
        };
        let bulk = Bulk {
            target,
            options: &options,
            client: &self.client,
            writer: &self.writer,
        };
        let tally = self.runtime.block_on(replay_all(
            &bulk,
            ids,
            |id| db.get(id),
            &cancel,
            |sent, tally| {
                last = Some(sent.clone());
                if ids.len() > 1 {
                    let _ = outbox.send(Message::Replay(ReplayReport::Progress { job, tally }));
                }
            },
        ));
        ReplayReport::Finished {
            job,
            target: target.to_string(),
            tally,
            cancelled: control.is_cancelled(),
            elapsed: started.elapsed(),
            single: (ids.len() == 1).then_some(last).flatten().map(Arc::new),
        }
    }

    /// With `--resign`, an edited request is signed over what the user saved, so the
    /// signature matches the edited body.
    fn signed_after_editing(
        &self,
        id: CaptureId,
        request: &OutgoingRequest,
    ) -> Result<OutgoingRequest, String> {
        let mut request = request.clone();
        if !self.resign {
            return Ok(request);
        }
        let capture = self
            .db
            .get(id)
            .map_err(|e| format!("not sent: cannot read capture #{id} to re-sign it: {e}"))?
            .ok_or_else(|| format!("not sent: capture #{id} is no longer in the store"))?;
        resign_request(&mut request, vendor_of(&capture), Utc::now())?;
        Ok(request)
    }

    fn send_edited(
        &mut self,
        job: JobId,
        id: CaptureId,
        request: &OutgoingRequest,
        target: &Target,
    ) -> ReplayReport {
        let started = Instant::now();
        let request = self.signed_after_editing(id, request);
        let (mut attempt, _) = self.runtime.block_on(exchange_prepared(
            &self.client,
            AttemptKind::Replay,
            id,
            target,
            request,
        ));
        let recorded: Result<i64, StoreError> = self
            .runtime
            .block_on(self.writer.record_attempt(attempt.clone()));
        if let Ok(stored) = recorded {
            attempt.id = stored;
        }
        let answered = attempt.response.is_some();
        ReplayReport::Finished {
            job,
            target: target.to_string(),
            tally: crate::replay::bulk::Tally {
                answered: usize::from(answered),
                failed: usize::from(!answered),
                total: 1,
            },
            cancelled: false,
            elapsed: started.elapsed(),
            single: Some(Arc::new(Sent::Attempted(Box::new(attempt)))),
        }
    }
}
