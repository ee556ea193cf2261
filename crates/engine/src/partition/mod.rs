//! The batch on a cluster, partitioned by person: what each task of a
//! distributed job runs (the Spark job of `crates/python`), and what its
//! driver adds up. The steps, and who does each:
//!
//! 1. **Read** (a task per input file): [`read_input`] turns one CSV or ZIP
//!    into self-contained rows (each carries its strings, so it can travel
//!    to any task, and the keys below), the file reports and the
//!    quarantine.
//! 2. **Across the batch** (the job, each with the engine's rule): exact
//!    copies (equal record bytes) keep their first copy by file and line
//!    ([`count_copies`]); a reused transaction id counts once, at its
//!    earliest (time, file, line) ([`reused_transactions`]); each
//!    referrer's counts over the batch decide the payment providers
//!    ([`payment_providers`]); client ids that share an email hash are one
//!    person; every person's rows go to one partition.
//! 3. **Per partition**, twice: [`dataset`] rebuilds the partition's events
//!    in the engine's order and [`crate::pipeline::run_with`] runs the
//!    pipeline with what the batch decided ([`crate::pipeline::Given`]).
//!    The first pass gives the partition's Markov counts; the second,
//!    with the batch's, gives [`tables`]: the rows of every per-person
//!    table with the key one reader orders them by, the channel days and
//!    the report tally.
//! 4. **Driver**: the Markov counts add up and solve once
//!    ([`Transitions::merge`]), the channel days add up
//!    ([`channel_summary`]), and [`report`] makes `report.json` from the
//!    tallies added up and the batch's facts.

mod batch;
mod read;
mod rows;

pub use batch::{
    batch_files, count_copies, payment_providers, quarantine, report, reused_transactions,
    OrderRow, ReferrerCounts,
};
pub use read::{dataset, read_input, InputRows, PartitionRow, Row};
pub use rows::{channel_summary, tables, ChannelDays, Key, Keyed, PartitionTables, Rows};
