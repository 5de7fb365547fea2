//! Identity numbers and phone numbers of the call intake: CPF and CNS check digits (patient
//! identification, RFS184/RFS029) and the area code (DDD) of a caller's number (RFS003).

/// The digits of `s`, ignoring punctuation and spaces (`529.982.247-25`).
fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// Whether `s` is a well-formed CPF: 11 digits, not all equal, with both mod-11 check digits
/// right. Punctuation is ignored; any other character makes it invalid.
pub fn valid_cpf(s: &str) -> bool {
    if s.chars().any(|c| !(c.is_ascii_digit() || matches!(c, '.' | '-' | ' '))) {
        return false;
    }
    let d = digits(s);
    if d.len() != 11 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    (9..=10).all(|n| {
        let sum: u32 = (0..n).map(|i| d[i] * (n as u32 + 1 - i as u32)).sum();
        let check = (sum * 10 % 11) % 10;
        check == d[n]
    })
}

/// Whether `s` is a well-formed Cartão Nacional de Saúde number: 15 digits whose weighted sum
/// (weights 15 down to 1) is a multiple of 11; definitive cards start with 1 or 2 (and, being
/// built from a PIS number, carry `000` or `001` before the check digit), provisional ones with
/// 7, 8 or 9.
pub fn valid_cns(s: &str) -> bool {
    if s.chars().any(|c| !(c.is_ascii_digit() || c == ' ')) {
        return false;
    }
    let d = digits(s);
    if d.len() != 15 {
        return false;
    }
    match d[0] {
        1 | 2 if !(d[11] == 0 && d[12] == 0 && d[13] <= 1) => return false,
        1 | 2 | 7..=9 => {}
        _ => return false,
    }
    let sum: u32 = d.iter().enumerate().map(|(i, &x)| x * (15 - i as u32)).sum();
    sum.is_multiple_of(11)
}

/// The area code (DDD) of a Brazilian phone number as a caller id shows it: `(31) 99876-5432`,
/// `+55 31 3277-1234`, `0 31 …` or with a carrier code `0 21 31 …`. `None` for a local number
/// without area code (8 or 9 digits) or anything that is not a phone number.
pub fn ddd_of(phone: &str) -> Option<u16> {
    let mut d: &[u32] = &digits(phone);
    if d.len() >= 12 && d[0] == 5 && d[1] == 5 {
        d = &d[2..];
    } else if d.first() == Some(&0) {
        d = &d[1..];
        // A carrier selection code (two digits) before the area code.
        if d.len() >= 12 {
            d = &d[2..];
        }
    }
    if d.len() != 10 && d.len() != 11 {
        return None;
    }
    // Area codes run from 11 to 99 and never end in 0.
    if d[0] == 0 || d[1] == 0 {
        return None;
    }
    Some((d[0] * 10 + d[1]) as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_check_digits() {
        // (input, valid) — reference values checked with an independent implementation.
        let table = [
            ("529.982.247-25", true),
            ("52998224725", true),
            ("123.456.789-09", true),
            ("000.000.001-91", true),
            ("529.982.247-24", false), // second check digit wrong
            ("529.982.247-15", false), // first check digit wrong
            ("111.111.111-11", false), // repeated digits pass the arithmetic but are invalid
            ("00000000000", false),
            ("5299822472", false),   // 10 digits
            ("529982247250", false), // 12 digits
            ("529.982.247-2a", false),
            ("", false),
        ];
        for (cpf, ok) in table {
            assert_eq!(valid_cpf(cpf), ok, "{cpf}");
        }
    }

    #[test]
    fn cns_check_digits() {
        let table = [
            ("700000000000005", true), // provisional
            ("898001160660184", true), // provisional
            ("754000000000004", true), // provisional
            ("200000000010009", true), // definitive, "001" branch
            ("160453795230000", true), // definitive, "000" branch
            ("160 4537 9523 0000", true),
            ("700000000000006", false), // check digit off by one
            ("898001160660186", false),
            ("200000000010106", false), // sum passes; definitive without 000/001 before the check digit
            ("200000000002006", false), // likewise
            ("300000000000107", false), // sum passes; no card starts with 3
            ("70000000000000", false),  // 14 digits
            ("7000000000000050", false),
            ("70000000000000x", false),
        ];
        for (cns, ok) in table {
            assert_eq!(valid_cns(cns), ok, "{cns}");
        }
    }

    #[test]
    fn area_codes_of_caller_numbers() {
        let table = [
            ("(31) 99876-5432", Some(31)),
            ("31 3277-1234", Some(31)),
            ("+55 31 3277-1234", Some(31)),
            ("5569992345678", Some(69)),
            ("0 69 3224-1234", Some(69)),
            ("0 21 31 99876 5432", Some(31)), // carrier code 21, area 31
            ("99876-5432", None),             // local, no area code
            ("3277-1234", None),
            ("192", None),
            ("(01) 3277-1234", None), // no area code starts with 0
            ("(30) 3277-1234", None), // nor ends with 0
            ("", None),
        ];
        for (phone, ddd) in table {
            assert_eq!(ddd_of(phone), ddd, "{phone}");
        }
    }
}
