//! A console's command path as a process of its own, for the crash test of the outbox (issue 8):
//! logs in, starts the outbox sender, and issues `count` notes on an alarm as fast as an operator
//! could never type, printing `ACK <n> <command id>` once each is durably queued (the moment the
//! console tells the operator "registrado"). Then waits until the queue is empty and prints
//! `DRAINED`. With `count` 0 it only sends what an earlier run left queued.
//!
//! `outbox-burst <server> <user> <password> <outbox file> <alarm id> <count>`

use atalaia_client::Api;
use atalaia_client::outbox::{self, Command, Outbox};
use atalaia_core::wire::AlarmAction;
use futures_util::StreamExt;
use std::io::Write;
use std::sync::Arc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, user, password, file, alarm, count] = args.as_slice() else {
        anyhow::bail!("usage: outbox-burst <server> <user> <password> <outbox file> <alarm id> <count>");
    };
    let (alarm, count): (atalaia_core::ids::AlarmId, usize) = (alarm.parse()?, count.parse()?);
    let api = Api::new(base)?;
    let token = api.login(user, password).await?.token;
    let api = api.with_token(token);
    let path = std::path::PathBuf::from(file);
    let wake = Arc::new(tokio::sync::Notify::new());
    let mut updates = Box::pin(outbox::pump(api, path.clone(), wake.clone()));
    let queue = Outbox::open(&path)?;
    let mut out = std::io::stdout().lock();
    for n in 0..count {
        let command = Command::AlarmAction { alarm, action: AlarmAction::Note { text: format!("nota {n}") } };
        let entry = queue.enqueue(command, "Observação no alarme", chrono::Utc::now())?;
        writeln!(out, "ACK {n} {}", entry.id)?;
        out.flush()?;
        wake.notify_one();
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    while let Some(update) = updates.next().await {
        match update {
            outbox::Update::Idle if queue.pending_count()? == 0 => break,
            outbox::Update::Conflict { problem, .. } => anyhow::bail!("refused: {problem:?}"),
            outbox::Update::Unauthorized => anyhow::bail!("session refused"),
            _ => {}
        }
    }
    writeln!(out, "DRAINED")?;
    Ok(())
}
