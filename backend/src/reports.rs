//! Reports (16.2.10): events per monitored person, events per responsible supervisor, alarm
//! handling times, and a person's track — each a table written as CSV (for spreadsheets: `;`
//! separated, UTF-8 with BOM, as Excel in Portuguese expects) or PDF (A4 landscape, the standard
//! Helvetica and Courier fonts, header repeated and "Página n de N" on every page).

use crate::store::db::Db;
use crate::store::{Store, StoreError, ts};
use atalaia_core::alarm::{Alarm, AlarmState, Outcome, Subject};
use atalaia_core::ids::PersonId;
use atalaia_core::monitoring::Person;
use atalaia_core::monitoring::reach::Reach;
use atalaia_core::text;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use std::collections::{BTreeMap, HashMap};

/// A report as a table of text cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub title: String,
    /// Period, filters and when and by whom it was generated.
    pub subtitle: String,
    pub columns: Vec<&'static str>,
    /// Widest each column may get in the PDF, in characters of the table font (columns take
    /// the width of their longest cell up to this).
    pub widths: Vec<usize>,
    pub rows: Vec<Vec<String>>,
}

/// Longest table a PDF is made of (a month of one person's fixes is 86,400 rows: use CSV).
pub const MAX_PDF_ROWS: usize = 20_000;

fn fmt_time(t: DateTime<Utc>, tz: Tz) -> String {
    t.with_timezone(&tz).format("%d/%m/%Y %H:%M:%S").to_string()
}

fn minutes(d: chrono::Duration) -> String {
    format!("{:.1}", d.num_seconds() as f64 / 60.0).replace('.', ",")
}

fn state_text(a: &Alarm) -> (&'static str, String) {
    match &a.state {
        AlarmState::Open => ("Aberto", String::new()),
        AlarmState::Claimed { .. } => ("Assumido", String::new()),
        AlarmState::InProcedure { .. } => ("Em procedimento", String::new()),
        AlarmState::Closed { outcome, note, .. } => (text::outcome(*outcome), note.clone()),
        AlarmState::Restored { .. } => ("Restabelecido", String::new()),
    }
}

/// Alarms raised in the period, oldest first (also what [`handling_times`] is given).
pub fn alarms_between(
    conn: Db<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Alarm>, StoreError> {
    let mut all: Vec<Alarm> = Store::alarms_raised_between(conn, &ts(from), &ts(to))?;
    all.retain(|a| a.raised_at >= from && a.raised_at <= to);
    all.sort_by_key(|a| (a.raised_at, a.id));
    Ok(all)
}

fn people(conn: Db<'_>) -> Result<HashMap<PersonId, Person>, StoreError> {
    Ok(Store::list::<Person>(conn)?.into_iter().map(|p| (p.id, p)).collect())
}

fn period(from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> String {
    format!("Período: {} a {}", fmt_time(from, tz), fmt_time(to, tz))
}

/// Events (alarms and violations) per monitored person (16.2.10), grouped by person.
pub fn events_per_person(
    conn: Db<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    only: Option<PersonId>,
    tz: Tz,
    within: Option<&Reach>,
) -> Result<Table, StoreError> {
    let people = people(conn)?;
    let mut rows: Vec<(String, DateTime<Utc>, Vec<String>)> = Vec::new();
    for a in alarms_between(conn, from, to)? {
        let Subject::Person(pid) = a.subject else { continue };
        if within.is_some_and(|r| !r.person(pid)) {
            continue;
        }
        if only.is_some_and(|o| o != pid) {
            continue;
        }
        let p = people.get(&pid);
        let (state, note) = state_text(&a);
        let name = p.map_or_else(|| "(removida)".to_owned(), |p| p.name.clone());
        rows.push((
            name.clone(),
            a.raised_at,
            vec![
                name,
                p.map(|p| p.record.clone()).unwrap_or_default(),
                p.map(|p| p.groups().join(" · ")).unwrap_or_default(),
                p.and_then(|p| p.responsible.clone()).unwrap_or_default(),
                text::alarm_kind(a.kind).to_owned(),
                text::severity(a.severity).to_owned(),
                fmt_time(a.raised_at, tz),
                a.acknowledged_at.map(|t| fmt_time(t, tz)).unwrap_or_default(),
                a.time_to_acknowledge().map(minutes).unwrap_or_default(),
                state.to_owned(),
                note,
            ],
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    Ok(Table {
        title: "Eventos por pessoa monitorada".into(),
        subtitle: period(from, to, tz),
        columns: vec![
            "Pessoa",
            "Prontuário",
            "Grupo",
            "Responsável",
            "Evento",
            "Severidade",
            "Registrado em",
            "Assumido em",
            "Resposta (min)",
            "Situação",
            "Observação final",
        ],
        widths: vec![28, 14, 16, 22, 34, 10, 19, 19, 14, 16, 40],
        rows: rows.into_iter().map(|(_, _, r)| r).collect(),
    })
}

/// Events per responsible supervisor (16.2.10): one line per supervisor named on the people.
pub fn events_per_supervisor(
    conn: Db<'_>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
    target: chrono::Duration,
    within: Option<&Reach>,
) -> Result<Table, StoreError> {
    #[derive(Default)]
    struct Line {
        people: std::collections::BTreeSet<PersonId>,
        alarms: usize,
        critical: usize,
        handled: usize,
        false_alarms: usize,
        forwarded: usize,
        open: usize,
        escalated: usize,
        late: usize,
        response_s: Vec<i64>,
    }
    let people = people(conn)?;
    let mut lines: BTreeMap<String, Line> = BTreeMap::new();
    for a in alarms_between(conn, from, to)? {
        let Subject::Person(pid) = a.subject else { continue };
        if within.is_some_and(|r| !r.person(pid)) {
            continue;
        }
        let who = people
            .get(&pid)
            .and_then(|p| p.responsible.clone())
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| "(sem responsável)".into());
        let l = lines.entry(who).or_default();
        l.people.insert(pid);
        l.alarms += 1;
        l.critical += usize::from(a.severity == atalaia_core::alarm::Severity::Critical);
        l.escalated += usize::from(a.escalated_at.is_some());
        match &a.state {
            AlarmState::Closed { outcome: Outcome::Handled, .. } => l.handled += 1,
            AlarmState::Closed { outcome: Outcome::FalseAlarm, .. } => l.false_alarms += 1,
            AlarmState::Closed { outcome: Outcome::Forwarded, .. } => l.forwarded += 1,
            AlarmState::Restored { .. } => {}
            _ => l.open += 1,
        }
        if let Some(d) = a.time_to_acknowledge() {
            l.response_s.push(d.num_seconds());
            l.late += usize::from(d > target);
        }
    }
    let rows = lines
        .into_iter()
        .map(|(who, l)| {
            let mean = if l.response_s.is_empty() {
                String::new()
            } else {
                minutes(chrono::Duration::seconds(
                    l.response_s.iter().sum::<i64>() / l.response_s.len() as i64,
                ))
            };
            vec![
                who,
                l.people.len().to_string(),
                l.alarms.to_string(),
                l.critical.to_string(),
                l.handled.to_string(),
                l.false_alarms.to_string(),
                l.forwarded.to_string(),
                l.open.to_string(),
                l.escalated.to_string(),
                l.late.to_string(),
                mean,
            ]
        })
        .collect();
    Ok(Table {
        title: "Eventos por supervisor responsável".into(),
        subtitle: format!("{}; meta de resposta: {} min", period(from, to, tz), target.num_minutes()),
        columns: vec![
            "Responsável",
            "Pessoas",
            "Eventos",
            "Críticos",
            "Tratados",
            "Falsos",
            "Encaminhados",
            "Em aberto",
            "Escalados",
            "Fora da meta",
            "Resposta média (min)",
        ],
        widths: vec![28, 8, 8, 8, 8, 8, 12, 9, 9, 12, 20],
        rows,
    })
}

fn median_and_p90(mut v: Vec<i64>) -> (String, String) {
    if v.is_empty() {
        return (String::new(), String::new());
    }
    v.sort_unstable();
    let at = |p: f64| v[(((v.len() - 1) as f64) * p).round() as usize];
    (minutes(chrono::Duration::seconds(at(0.5))), minutes(chrono::Duration::seconds(at(0.9))))
}

/// Alarm handling times per kind (27.9): response against the target, escalations, time to close.
pub fn handling_times(
    alarms: &[Alarm],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
    target: chrono::Duration,
) -> Table {
    let mut per: BTreeMap<&'static str, Vec<&Alarm>> = BTreeMap::new();
    for a in alarms {
        per.entry(text::alarm_kind(a.kind)).or_default().push(a);
    }
    let rows = per
        .into_iter()
        .map(|(kind, list)| {
            let responses: Vec<i64> =
                list.iter().filter_map(|a| a.time_to_acknowledge()).map(|d| d.num_seconds()).collect();
            let within = responses.iter().filter(|&&s| s <= target.num_seconds()).count();
            let closes: Vec<i64> = list
                .iter()
                .filter_map(|a| match a.state {
                    AlarmState::Closed { at, .. } => Some((at - a.raised_at).num_seconds()),
                    _ => None,
                })
                .collect();
            let (r50, r90) = median_and_p90(responses.clone());
            let (c50, _) = median_and_p90(closes.clone());
            let pct = if responses.is_empty() {
                String::new()
            } else {
                format!("{:.0}", 100.0 * within as f64 / responses.len() as f64)
            };
            vec![
                kind.to_owned(),
                list.len().to_string(),
                responses.len().to_string(),
                r50,
                r90,
                pct,
                list.iter().filter(|a| a.escalated_at.is_some()).count().to_string(),
                closes.len().to_string(),
                c50,
            ]
        })
        .collect();
    Table {
        title: "Tempos de atendimento dos alarmes".into(),
        subtitle: format!("{}; meta de resposta: {} min (27.9)", period(from, to, tz), target.num_minutes()),
        columns: vec![
            "Alarme",
            "Total",
            "Assumidos",
            "Resposta mediana (min)",
            "Resposta p90 (min)",
            "Na meta (%)",
            "Escalados",
            "Encerrados",
            "Encerramento mediano (min)",
        ],
        widths: vec![40, 7, 10, 16, 14, 11, 10, 10, 20],
        rows,
    }
}

/// A person's track in the period (16.2.10, 16.2.26).
pub fn track(
    conn: Db<'_>,
    person: &Person,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
) -> Result<Table, StoreError> {
    let fixes = crate::store::tracks::track(conn, &person.id, from.timestamp(), to.timestamp(), None)?;
    Ok(Table {
        title: format!("Trajeto de {} ({})", person.name, person.record),
        subtitle: format!("{}; {} posições", period(from, to, tz), fixes.len()),
        columns: vec!["Data e hora", "Latitude", "Longitude"],
        widths: vec![20, 12, 12],
        rows: fixes
            .iter()
            .map(|f| {
                vec![
                    fmt_time(atalaia_core::investigate::time_of(f.t), tz),
                    format!("{:.6}", f.lat),
                    format!("{:.6}", f.lon),
                ]
            })
            .collect(),
    })
}

/// CSV for spreadsheets: a UTF-8 byte order mark, `;` between fields, CRLF lines, fields quoted
/// when needed (RFC 4180 quoting). Text a spreadsheet would run as a formula (an operator's note
/// starting with `=`, `+`, `-` or `@`) gets a leading apostrophe; numbers such as `-8.76` do not.
pub fn to_csv(t: &Table) -> Vec<u8> {
    fn field(s: &str) -> String {
        let formula =
            s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.replace(',', ".").parse::<f64>().is_err();
        let s = if formula { format!("'{s}") } else { s.to_owned() };
        if s.contains([';', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
    }
    let mut out = String::from("\u{feff}");
    out.push_str(&t.columns.iter().map(|c| field(c)).collect::<Vec<_>>().join(";"));
    out.push_str("\r\n");
    for r in &t.rows {
        out.push_str(&r.iter().map(|c| field(c)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Text in the standard fonts' WinAnsi encoding (Portuguese is all in it); other characters
/// become `?`.
pub(crate) fn winansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u8,
            '—' => 0x97,
            '–' => 0x96,
            '…' => 0x85,
            '€' => 0x80,
            '“' => 0x93,
            '”' => 0x94,
            '‘' => 0x91,
            '’' => 0x92,
            _ => b'?',
        })
        .collect()
}

/// Fit `s` into `width` characters (an ellipsis marks the cut).
fn fit(s: &str, width: usize) -> String {
    let s = s.replace(['\n', '\r'], " ");
    if s.chars().count() <= width {
        format!("{s:<width$}")
    } else {
        let mut cut: String = s.chars().take(width.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The table as a PDF: A4 landscape, title and subtitle in Helvetica, the table in Courier
/// (columns line up), the header row on every page, "Página n de N" at the foot.
pub fn to_pdf(t: &Table, generated: &str) -> Vec<u8> {
    const W: f32 = 842.0;
    const H: f32 = 595.0;
    const MARGIN: f32 = 36.0;
    const ROW: f32 = 10.5;
    // Each column as wide as its longest cell (header included), up to its maximum; then the
    // largest font size (Courier is 0.6 em wide) from 8 down to 6 pt that fits the page, and
    // if even 6 pt does not fit, the widest columns give up characters.
    let mut widths: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let longest = t.rows.iter().map(|r| r.get(i).map_or(0, |s| s.chars().count())).max().unwrap_or(0);
            longest.max(c.chars().count()).min(t.widths.get(i).copied().unwrap_or(20)).max(3)
        })
        .collect();
    let chars = |w: &[usize]| w.iter().sum::<usize>() + w.len().saturating_sub(1);
    let fits_at_6 = ((W - 2.0 * MARGIN) / (6.0 * 0.6)) as usize;
    while chars(&widths) > fits_at_6 {
        let Some(widest) = widths.iter_mut().max() else { break };
        *widest -= 1;
    }
    let size = ((W - 2.0 * MARGIN) / (chars(&widths).max(1) as f32 * 0.6)).clamp(6.0, 8.0);
    let first_row_y = H - MARGIN - 52.0;
    let per_page = (((first_row_y - MARGIN - 20.0) / ROW) as usize).max(1);
    let pages = t.rows.len().div_ceil(per_page).max(1);

    let line = |cells: &[String]| -> String {
        cells.iter().zip(&widths).map(|(c, w)| fit(c, *w)).collect::<Vec<_>>().join(" ")
    };
    let header = line(&t.columns.iter().map(|c| (*c).to_owned()).collect::<Vec<_>>());

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (sans, sans_bold, mono, mono_bold) = (Ref::new(3), Ref::new(4), Ref::new(5), Ref::new(6));
    let info = Ref::new(7);
    let page_ids: Vec<Ref> = (0..pages).map(|i| Ref::new(8 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages as i32);
    let fonts = [
        (sans, b"Helvetica".as_slice()),
        (sans_bold, b"Helvetica-Bold"),
        (mono, b"Courier"),
        (mono_bold, b"Courier-Bold"),
    ];
    for (id, font) in fonts {
        pdf.type1_font(id).base_font(Name(font)).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    pdf.document_info(info).title(TextStr(&t.title)).producer(TextStr("Atalaia"));
    for (i, page_id) in page_ids.iter().enumerate() {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, W, H)).parent(tree).contents(content_id);
        page.resources()
            .fonts()
            .pair(Name(b"F1"), sans)
            .pair(Name(b"F2"), sans_bold)
            .pair(Name(b"F3"), mono)
            .pair(Name(b"F4"), mono_bold);
        page.finish();
        let mut c = Content::new();
        c.begin_text();
        c.set_font(Name(b"F2"), 14.0);
        c.next_line(MARGIN, H - MARGIN - 14.0);
        c.show(Str(&winansi(&t.title)));
        c.end_text();
        c.begin_text();
        c.set_font(Name(b"F1"), 9.0);
        c.next_line(MARGIN, H - MARGIN - 30.0);
        c.show(Str(&winansi(&t.subtitle)));
        c.end_text();
        c.begin_text();
        c.set_font(Name(b"F4"), size);
        c.next_line(MARGIN, first_row_y + ROW);
        c.show(Str(&winansi(&header)));
        c.end_text();
        c.set_line_width(0.5);
        c.move_to(MARGIN, first_row_y + ROW - 3.0);
        c.line_to(W - MARGIN, first_row_y + ROW - 3.0);
        c.stroke();
        let rows = t.rows.iter().skip(i * per_page).take(per_page);
        c.begin_text();
        c.set_font(Name(b"F3"), size);
        c.next_line(MARGIN, first_row_y - 2.0);
        for r in rows {
            c.show(Str(&winansi(&line(r))));
            c.next_line(0.0, -ROW);
        }
        c.end_text();
        if t.rows.is_empty() {
            c.begin_text();
            c.set_font(Name(b"F1"), 10.0);
            c.next_line(MARGIN, first_row_y - 6.0);
            c.show(Str(&winansi("Nenhum registro no período.")));
            c.end_text();
        }
        c.begin_text();
        c.set_font(Name(b"F1"), 8.0);
        c.next_line(MARGIN, MARGIN - 12.0);
        c.show(Str(&winansi(&format!("{generated} — Página {} de {pages}", i + 1))));
        c.end_text();
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            title: "Eventos por pessoa monitorada".into(),
            subtitle: "Período: 01/10/2026 00:00:00 a 31/10/2026 23:59:59".into(),
            columns: vec!["Pessoa", "Observação"],
            widths: vec![12, 20],
            rows: vec![
                vec!["João; \"Jô\"".into(), "linha 1\nlinha 2".into()],
                vec!["Maria".into(), "ação — concluída".into()],
                vec!["=HYPERLINK(\"x\")".into(), "-8,760000".into()],
            ],
        }
    }

    #[test]
    fn csv_quotes_what_spreadsheets_would_split() {
        let csv = String::from_utf8(to_csv(&table())).expect("utf8");
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[0], "Pessoa;Observação");
        assert_eq!(lines[1], "\"João; \"\"Jô\"\"\";\"linha 1\nlinha 2\"");
        assert_eq!(lines[2], "Maria;ação — concluída");
        assert_eq!(lines[3], "\"'=HYPERLINK(\"\"x\"\")\";-8,760000", "formulas disarmed, numbers kept");
    }

    #[test]
    fn portuguese_text_is_winansi_and_long_cells_are_cut() {
        assert_eq!(winansi("ação—ã"), vec![b'a', 0xE7, 0xE3, b'o', 0x97, 0xE3]);
        assert_eq!(fit("Observação", 12), "Observação  ");
        assert_eq!(fit("Rompimento da cinta", 10), "Rompiment…");
        let pdf = to_pdf(&table(), "Gerado em 01/11/2026");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.windows(9).any(|w| w == b"Helvetica"));
    }

    #[test]
    fn long_tables_get_as_many_pages_as_needed() {
        let mut t = table();
        t.rows = (0..200).map(|i| vec![format!("P{i}"), "x".into()]).collect();
        let pdf = to_pdf(&t, "g");
        let pages = pdf.windows(10).filter(|w| w == b"/Type /Pag").count();
        assert!(pages >= 5, "{pages} page objects for 200 rows");
    }
}
