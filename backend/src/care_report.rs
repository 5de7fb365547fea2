//! The attendance report handed in at the destination unit's reception (RFS026, TDC-PROC 12):
//! the call, the victims, the regulation, the vehicle with its phase times, the care record and
//! the attachments, with a receipt block for the unit — A4 portrait, standard PDF fonts.

use crate::reports::winansi;
use atalaia_core::samu::{Dispatch, Occurrence};
use atalaia_core::text;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

const W: f32 = 595.0;
const H: f32 = 842.0;
const MARGIN: f32 = 42.0;
const SIZE: f32 = 9.5;
const LEAD: f32 = 12.5;

fn when(t: Option<DateTime<Utc>>, tz: Tz) -> String {
    t.map_or_else(|| "—".into(), |t| t.with_timezone(&tz).format("%d/%m/%Y %H:%M").to_string())
}

fn or_dash(s: &str) -> String {
    if s.trim().is_empty() { "—".into() } else { s.trim().into() }
}

/// One line of the document.
enum Line {
    Title(String),
    Heading(String),
    /// Label and value; the value wraps under itself.
    Field(String, String),
    Text(String),
    Gap,
}

/// Break `s` into lines of at most `width` characters, at spaces where possible.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in s.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            while line.chars().count() > width {
                let head: String = line.chars().take(width).collect();
                line = line.chars().skip(width).collect();
                out.push(head);
            }
        }
        out.push(line);
    }
    out
}

fn lines(o: &Occurrence, dispatches: &[Dispatch], tz: Tz, generated: &str) -> Vec<Line> {
    use Line::*;
    let f = |l: &str, v: String| Field(l.into(), v);
    let mut v = vec![
        Title("Relatório de atendimento — SAMU 192".into()),
        Text(format!("Ocorrência {} · {generated}", o.number)),
        Gap,
        Heading("Chamada".into()),
        f("Atendida em", when(o.call_started_at.or(Some(o.created_at)), tz)),
        f("Solicitante", format!("{} · {}", or_dash(&o.caller_name), o.caller_phone)),
        f("Endereço", format!("{} — {}", or_dash(&o.address), or_dash(&o.municipality))),
    ];
    if let Some(l) = o.location {
        v.push(f("Coordenadas", format!("{:.5}, {:.5}", l.lat, l.lon)));
    }
    v.push(Gap);
    v.push(Heading(if o.victims.len() > 1 { "Vítimas".into() } else { "Vítima".into() }));
    if o.victims.is_empty() {
        v.push(Text("Não identificada.".into()));
    }
    for p in &o.victims {
        let mut who = vec![or_dash(&p.name)];
        if let Some(s) = p.sex {
            who.push(text::sex(s).into());
        }
        if let Some(a) = p.age_years {
            who.push(format!("{a} anos"));
        }
        if !p.cpf.is_empty() {
            who.push(format!("CPF {}.{}.{}-{}", &p.cpf[..3], &p.cpf[3..6], &p.cpf[6..9], &p.cpf[9..]));
        }
        if !p.cns.is_empty() {
            who.push(format!("CNS {}", p.cns));
        }
        if !p.complaint.is_empty() {
            who.push(format!("queixa: {}", p.complaint));
        }
        v.push(f(&format!("{}", p.number), who.join(" · ")));
    }
    v.push(Gap);
    v.push(Heading("Regulação médica".into()));
    v.push(f("Demanda", o.demand_type.map_or("—", text::demand_type).into()));
    v.push(f("Solicitação", o.request_type.map_or("—", text::request_type).into()));
    v.push(f("Prioridade", o.priority.map_or("—", text::priority).into()));
    v.push(f("Quadro clínico", or_dash(&o.description)));
    v.push(f("Orientação", or_dash(&o.orientation)));
    v.push(f("Conduta", or_dash(&o.conduct)));
    v.push(f("Unidade de destino", or_dash(&o.destination)));
    let mut regulators: Vec<String> = Vec::new();
    for c in &o.history {
        if let Some(stage) = c.stage {
            let who = format!("{} ({})", c.by_name, text::regulator_stage(stage));
            if !regulators.contains(&who) {
                regulators.push(who);
            }
        }
    }
    v.push(f("Reguladores", if regulators.is_empty() { "—".into() } else { regulators.join("; ") }));
    v.push(Gap);
    v.push(Heading("Viatura e tempos".into()));
    for d in dispatches {
        let t = &d.times;
        v.push(f("Viatura", d.vehicle_code.clone()));
        v.push(f(
            "Empenho · ciência",
            format!("{} · {}", when(Some(d.committed_at), tz), when(t.acknowledged, tz)),
        ));
        v.push(f("Saída · no local", format!("{} · {}", when(t.en_route, tz), when(t.on_scene, tz))));
        v.push(f(
            "Saída do local · no destino",
            format!("{} · {}", when(t.transporting, tz), when(t.at_destination, tz)),
        ));
        if let Some(s) = &d.stretcher {
            v.push(f("Maca retida", format!("{} · {} · {}", s.unit, s.reason, when(Some(s.at), tz))));
        }
        if !d.reported.is_empty() {
            // Reports sent late (the tablet had no signal): when the crew made them (RFS015).
            let r = &d.reported;
            let told: Vec<String> = [
                ("ciência", r.acknowledged),
                ("saída", r.en_route),
                ("no local", r.on_scene),
                ("saída do local", r.transporting),
                ("no destino", r.at_destination),
                ("maca retida", r.stretcher_retained),
                ("liberação", r.released),
            ]
            .into_iter()
            .filter(|(_, at)| at.is_some())
            .map(|(what, at)| format!("{what} {}", when(at, tz)))
            .collect();
            v.push(f("Informado pela equipe sem sinal", told.join(" · ")));
        }
    }
    if dispatches.is_empty() {
        v.push(Text("Nenhuma viatura empenhada.".into()));
    }
    v.push(Gap);
    v.push(Heading("Atendimento".into()));
    if o.records.is_empty() {
        v.push(Text("Sem registros.".into()));
    }
    for r in &o.records {
        let vitals = atalaia_core::text::vitals(r);
        v.push(f(
            &format!("{} · vítima {}", when(Some(r.at), tz), r.victim),
            format!("{} ({})", if vitals.is_empty() { "—".into() } else { vitals }, r.by_name),
        ));
        if !r.notes.is_empty() {
            v.push(f("", r.notes.clone()));
        }
    }
    if !o.attachments.is_empty() {
        v.push(Gap);
        v.push(Heading("Anexos".into()));
        for a in &o.attachments {
            let kind = atalaia_core::text::attachment_kind(a.kind);
            v.push(f(
                kind,
                format!("{} · {} KB · {}", or_dash(&a.name), a.size.div_ceil(1024), when(Some(a.at), tz)),
            ));
        }
    }
    v.push(Gap);
    v.push(Heading("Recebimento na unidade de destino".into()));
    v.push(Gap);
    v.push(Text("Recebido por: ________________________________   Registro: _______________".into()));
    v.push(Gap);
    v.push(Text("Data e hora: ____/____/________  ____:____      Assinatura: ____________________".into()));
    v
}

/// The report as PDF bytes.
pub fn to_pdf(o: &Occurrence, dispatches: &[Dispatch], tz: Tz, generated: &str) -> Vec<u8> {
    const LABEL_W: f32 = 150.0;
    // Helvetica averages about half an em per character.
    let value_chars = ((W - 2.0 * MARGIN - LABEL_W) / (SIZE * 0.5)) as usize;
    let text_chars = ((W - 2.0 * MARGIN) / (SIZE * 0.5)) as usize;
    // Lay out into pages: (font, size, x, text) per line, y going down.
    type Placed = (&'static [u8], f32, f32, f32, String);
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = H - MARGIN;
    // Place lines from `y` down, keeping up to `need` points together on one page (a heading
    // with what follows, a short value) and breaking pages line by line beyond that (a long
    // dictated note runs over as many pages as it needs). The page and height of the first line.
    let place = |pages: &mut Vec<Vec<Placed>>,
                 y: &mut f32,
                 need: f32,
                 item: Vec<(&'static [u8], f32, f32, String)>|
     -> (usize, f32) {
        let bottom = MARGIN + 20.0;
        if *y - need.min(H / 2.0) < bottom {
            pages.push(Vec::new());
            *y = H - MARGIN;
        }
        let first = (pages.len() - 1, *y);
        for (font, size, x, s) in item {
            let step = LEAD.max(size + 3.0);
            if *y - step < bottom {
                pages.push(Vec::new());
                *y = H - MARGIN;
            }
            pages.last_mut().expect("a page").push((font, size, x, *y - size, s));
            *y -= step;
        }
        first
    };
    for line in lines(o, dispatches, tz, generated) {
        match line {
            Line::Title(s) => {
                place(&mut pages, &mut y, 22.0, vec![(b"F2", 15.0, MARGIN, s)]);
            }
            Line::Heading(s) => {
                place(&mut pages, &mut y, 40.0, vec![(b"F2", 11.0, MARGIN, s)]);
            }
            Line::Text(s) => {
                let item =
                    wrap(&s, text_chars).into_iter().map(|l| (b"F1".as_slice(), SIZE, MARGIN, l)).collect();
                place(&mut pages, &mut y, LEAD, item);
            }
            Line::Field(label, value) => {
                let item: Vec<_> = wrap(&value, value_chars)
                    .into_iter()
                    .map(|l| (b"F1".as_slice(), SIZE, MARGIN + LABEL_W, l))
                    .collect();
                let need = LEAD * item.len() as f32;
                // The label sits on the first line of its value, on whichever page that lands.
                let (page, top) = place(&mut pages, &mut y, need, item);
                if !label.is_empty() {
                    pages[page].push((b"F2", SIZE, MARGIN, top - SIZE, label));
                }
            }
            Line::Gap => y -= LEAD * 0.6,
        }
    }

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let (sans, sans_bold) = (Ref::new(3), Ref::new(4));
    let info = Ref::new(5);
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(6 + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    for (id, font) in [(sans, b"Helvetica".as_slice()), (sans_bold, b"Helvetica-Bold")] {
        pdf.type1_font(id).base_font(Name(font)).encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    let title = format!("Relatório de atendimento {}", o.number);
    pdf.document_info(info).title(TextStr(&title)).producer(TextStr("Atalaia"));
    let n = pages.len();
    for (i, (page_id, placed)) in page_ids.iter().zip(pages).enumerate() {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, W, H)).parent(tree).contents(content_id);
        page.resources().fonts().pair(Name(b"F1"), sans).pair(Name(b"F2"), sans_bold);
        page.finish();
        let mut c = Content::new();
        for (font, size, x, y, s) in placed.iter().chain(std::iter::once(&(
            b"F1".as_slice(),
            8.0,
            MARGIN,
            MARGIN - 14.0,
            format!("Ocorrência {} — página {} de {n}", o.number, i + 1),
        ))) {
            c.begin_text();
            c.set_font(Name(font), *size);
            c.next_line(*x, *y);
            c.show(Str(&winansi(s)));
            c.end_text();
        }
        pdf.stream(content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrapping_keeps_words_and_cuts_only_what_cannot_fit() {
        assert_eq!(
            wrap("imobilizar o membro inferior direito", 12),
            ["imobilizar o", "membro", "inferior", "direito"]
        );
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
    }
}
