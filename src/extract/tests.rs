use super::*;

/// The `reauthorized` guard in [`encounter`]: every phrase holds `uthori`.
#[test]
fn reauthorized_phrases_hold_the_guard_word() {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../../grammar/vocabulary.json")).unwrap();
    let phrases = raw["reauthorized"].as_array().unwrap();
    assert!(!phrases.is_empty());
    for p in phrases {
        let p = p.as_str().unwrap().to_ascii_lowercase();
        assert!(p.contains("uthori"), "{p}");
    }
}

/// The guards find what the searches they spare would find.
#[test]
fn encounter_guards_agree_with_the_searches() {
    let v = vocab();
    for t in [
        "Reauthorization obtained 2026-01-02.",
        "RE-AUTHORIZED by phone",
        "prior auth on file",
        "AUC met; appropriate use criteria reviewed",
        "Appropriate-use criteria",
        "auc_ xAUC",
        "café AUC",
        "nothing here",
    ] {
        assert_eq!(reauthorized(t), cues::any_done(t, &v.reauthorized), "{t:?}");
        assert_eq!(auc(t), AUC_RE.is_match(t), "{t:?}");
    }
}

/// `pathology_class` reads what the two passes it replaces read: any
/// un-negated malignancy, else the first un-hedged class.
#[test]
fn pathology_class_agrees_with_two_passes() {
    let two_passes = |value: &str| {
        let malignant = cues::all_done(value, &vocab().lesion_types)
            .iter()
            .any(|(_, c)| *c == LesionClass::Malignant);
        if malignant {
            Some(LesionClass::Malignant)
        } else {
            lesion_class(value).map(|c| c.0)
        }
    };
    let parts = [
        "seborrheic keratosis",
        "SK with an associated SCC in situ",
        "no residual BCC",
        "r/o melanoma",
        "dermatofibroma, margins clear",
        "prior BCC",
        "sent",
        "pending",
        "squamous cell carcinoma",
        "actinic keratosis",
        "benign nevus; ",
        "consistent with basal cell carcinoma",
        "not melanoma",
        "BCC excised in 2019",
        "nevus. ",
        "café au lait macule",
    ];
    let mut texts: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    for a in parts {
        for b in parts {
            texts.push(format!("{a}, {b}"));
            texts.push(format!("{a} with {b}"));
        }
    }
    for t in &texts {
        assert_eq!(pathology_class(t), two_passes(t), "{t:?}");
    }
}

/// `lesion_class` as it read before it started from the first type in the
/// whole text: every clause, each searched whole.
fn lesion_class_every_clause(text: &str) -> Option<(LesionClass, Span)> {
    if !vocab().lesion_types.is_match(text) {
        return None;
    }
    for c in cues::clauses(text) {
        let clause = c.text(text);
        for (m, class) in vocab().lesion_types.find_all(clause) {
            if !cues::is_hedged(clause, m) && !cues::is_negated_plain(clause, m) {
                return Some((class, Span::new(c.start + m.start, c.start + m.end)));
            }
        }
    }
    None
}

#[test]
fn lesion_class_agrees_with_every_clause() {
    let parts = [
        "2.2 cm biopsy-proven invasive SCC",
        "r/o BCC",
        "suspicious for melanoma",
        "no AK",
        "seborrheic keratosis",
        "0.8 cm keratotic pink nodule",
        "1.5",
        ".",
        ":",
        "declined",
        "nevus",
        "Stage 1: 3 blocks, mapped, residual BCC",
        "café",
        "verruca vulgaris; molluscum",
        "",
    ];
    let seps = ["", " ", ", ", "; ", ". ", ": ", " and "];
    let mut texts: Vec<String> = Vec::new();
    for a in parts {
        for sep in seps {
            for b in parts {
                texts.push(format!("{a}{sep}{b}"));
            }
        }
    }
    texts.extend(
        crate::corpus::generate(3, 100_000)
            .lines()
            .map(str::to_string),
    );
    for t in &texts {
        assert_eq!(lesion_class(t), lesion_class_every_clause(t), "{t:?}");
        let body = t.split_once(": ").map_or(t.as_str(), |(_, v)| v);
        assert_eq!(
            lesion_class(body),
            lesion_class_every_clause(body),
            "{body:?}"
        );
    }
}

/// `lowered_contains` answers as lowering a copy and searching it does.
#[test]
fn lowered_contains_agrees_with_to_lowercase() {
    for text in [
        "",
        "EXCIMER",
        "Xtrac laser",
        "tar",
        "TA",
        "Psoralen-UVA",
        "ExcİMER",
        "targeted",
    ] {
        for word in [
            "excimer",
            "xtrac",
            "targeted",
            "puva",
            "psoralen",
            "goeckerman",
            "tar",
        ] {
            assert_eq!(
                lowered_contains(text, word),
                text.to_lowercase().contains(word),
                "{text:?} {word:?}"
            );
        }
    }
}

/// The cosmetic, modifier-58, history and frozen section guards in
/// `procedure`: every phrase of each set holds one of its guard words.
#[test]
fn cue_phrases_hold_their_guard_words() {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../../grammar/vocabulary.json")).unwrap();
    for (key, words) in [
        ("cosmetic", &COSMETIC_WORDS[..]),
        ("modifier58_cues", &MODIFIER58_WORDS[..]),
        ("history", &HISTORY_WORDS[..]),
        ("frozen_section", &FROZEN_WORDS[..]),
    ] {
        let phrases = raw[key].as_array().unwrap();
        assert!(!phrases.is_empty());
        for p in phrases {
            let p = p.as_str().unwrap().to_ascii_lowercase();
            assert!(words.iter().any(|w| p.contains(w.text())), "{key}: {p}");
        }
    }
}

/// The biopsy guards in `procedure` and `specimen_lesion`: every biopsy
/// phrase holds one of `BIOPSY_WORDS`, and every one that names a
/// technique one of `TECHNIQUE_WORDS`.
#[test]
fn biopsy_phrases_hold_the_guard_words() {
    let raw: serde_json::Value =
        serde_json::from_str(include_str!("../../grammar/vocabulary.json")).unwrap();
    let mut checked = 0;
    for p in raw["procedures"].as_array().unwrap() {
        if p["kind"] != "biopsy" {
            continue;
        }
        for phrase in p["phrases"].as_array().unwrap() {
            let phrase = phrase.as_str().unwrap().to_ascii_lowercase();
            assert!(
                BIOPSY_WORDS.iter().any(|w| phrase.contains(w.text())),
                "{phrase}"
            );
            if p.get("technique").is_some() {
                assert!(
                    TECHNIQUE_WORDS.iter().any(|w| phrase.contains(w.text())),
                    "{phrase}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0);
}

/// Text from lesion types, hedges, negations, history words, numbers and
/// the bytes clauses split at, now and then with a letter that is not
/// ASCII.
fn lesion_text() -> impl proptest::strategy::Strategy<Value = String> {
    crate::extract::text_of(
        vec![
            "AK",
            "aks",
            "SCC",
            "scc in situ",
            "BCC",
            "melanoma",
            "nevus",
            "SK",
            "seborrheic keratosis",
            "actinic",
            "keratosis",
            "wart",
            "r/o",
            "suspicious for",
            "no",
            "not",
            "prior",
            "declined",
            "history of",
            "biopsy-proven",
            "with",
            "benign",
            "malignant",
            "3",
            "4.5",
            ".",
            ",",
            ";",
            ":",
            " ",
            "-",
            "x",
            "é",
        ],
        24,
        " ",
    )
}

proptest::proptest! {
    /// One scan for the matches of every clause gives the lesion class
    /// reading clause by clause gives.
    #[test]
    fn lesion_classes_agree_with_clause_by_clause(text in lesion_text(), glued in proptest::bool::ANY) {
        let text = if glued { text.replace(' ', "") } else { text };
        proptest::prop_assert_eq!(lesion_class(&text), lesion_class_by_clauses(&text));
        proptest::prop_assert_eq!(pathology_class(&text), pathology_class_by_clauses(&text));
    }
}

#[test]
fn lesion_classes_by_clause() {
    for text in [
        "r/o BCC, AK on the scalp",
        "SK with an associated SCC in situ",
        "no melanoma; nevus",
        "suspicious for melanoma",
        "nothing",
        "café: AK",
        "AK. SK",
    ] {
        assert_eq!(lesion_class(text), lesion_class_by_clauses(text), "{text}");
        assert_eq!(
            pathology_class(text),
            pathology_class_by_clauses(text),
            "{text}"
        );
    }
    assert_eq!(lesion_class("nothing"), None);
    assert_eq!(
        lesion_class("no melanoma; SK").map(|c| c.0),
        Some(LesionClass::Benign)
    );
    assert_eq!(
        pathology_class("SK with an associated SCC in situ"),
        Some(LesionClass::Malignant)
    );
}

/// Text from procedure phrases, hemostasis words, negations, history and
/// past words, and the bytes clauses split at, now and then with a letter
/// that is not ASCII.
fn procedure_text() -> impl proptest::strategy::Strategy<Value = String> {
    crate::extract::text_of(
        vec![
            "shave biopsy",
            "punch",
            "4 mm punch",
            "excision",
            "excised",
            "ED&C",
            "ED and C",
            "electrodesiccation",
            "cryotherapy",
            "Mohs",
            "NB-UVB",
            "layered closure",
            "hemostasis",
            "Hemostasis achieved with",
            "bleeding",
            "declined",
            "no",
            "prior",
            "2 years ago",
            "biopsy-proven",
            "performed",
            "and",
            "with",
            ".",
            ",",
            ";",
            ":",
            " ",
            "-",
            "é",
        ],
        24,
        " ",
    )
}

proptest::proptest! {
    /// Leaving out the hemostasis clauses before the negation test keeps
    /// what leaving them out after it kept.
    #[test]
    fn sentence_kinds_agree_with_filtering_after(text in procedure_text(), glued in proptest::bool::ANY) {
        let text = if glued { text.replace(' ', "") } else { text };
        proptest::prop_assert_eq!(sentence_kinds(&text), sentence_kinds_plain(&text));
    }
}

#[test]
fn sentence_kinds_leave_out_hemostasis() {
    for text in [
        "Shave biopsy performed. Hemostasis with electrodesiccation",
        "hemostasis via ED&C; cryotherapy x3",
        "declined excision, bleeding controlled with electrodesiccation",
        "Excisión done; hemostasis with cryo",
        "",
    ] {
        assert_eq!(sentence_kinds(text), sentence_kinds_plain(text), "{text}");
    }
    let kinds: Vec<ProcKind> = sentence_kinds("Shave biopsy. Hemostasis with electrodesiccation")
        .into_iter()
        .map(|(_, (k, _))| k)
        .collect();
    assert_eq!(kinds, vec![ProcKind::Biopsy]);
}

/// The ICD-10 reader finds what `ICD_RE` finds.
#[test]
fn icd_codes_agree_with_the_regex() {
    for t in [
        "D48.5",
        "C44.529, L57.0; Z85.828",
        "(L71.9): start",
        "U07.1 and D23.5",
        "Z99.89999 D48.5a D48. D4 xD48.5 _D48 D48_ 9D48",
        "B0A.1B2 E11.65.3 M5A.",
        "café D48.5 é C44.9é",
        "C44.5299",
        "",
        // Codes after and across eight-byte blocks.
        "excised with 2 mm margins, closed. C44.529 and more text D48.5",
        "abcdefg D48.5 abcdefgh C4 abcdefghijklmnoD48",
    ] {
        assert_eq!(icd_codes(t, 7), icd_codes_by_regex(t, 7), "{t:?}");
    }
    let found = icd_codes("Dx: C44.529, L57.0a", 10);
    let codes: Vec<&str> = found.iter().map(|d| d.code.as_str()).collect();
    // "L57.0a": the tail runs into a letter, so the code ends at the dot.
    assert_eq!(codes, ["C44.529", "L57"]);
    assert_eq!(found[0].span, Span::new(14, 21));
}

proptest::proptest! {
    /// The ICD-10 reader agrees with the regex on codes, near-codes and
    /// the bytes around them, ASCII or not.
    #[test]
    fn icd_reader_agrees_with_the_regex(
        text in crate::extract::text_of(
            vec![
                "D48", "C44", "U07", "L7", "Z9", "8", "5", "A", "B0A", "q12", "x", ".", ".5",
                ".529", ".1B2C", ".89999", "a", "_", " ", ",", "(", ")", ":", "é", "ß", "٣",
            ],
            14,
            "",
        )
    ) {
        proptest::prop_assert_eq!(icd_codes(&text, 3), icd_codes_by_regex(&text, 3));
    }
}

#[test]
fn a_kind_set_holds_what_a_list_holds() {
    use ProcKind::*;
    let all = [
        Mohs,
        Excision,
        ShaveRemoval,
        Destruction,
        Phototherapy,
        Biopsy,
        Repair,
    ];
    for n in 0..all.len() {
        for start in 0..all.len() {
            let list: Vec<ProcKind> = all.iter().cycle().skip(start).take(n).copied().collect();
            let set = list.iter().fold(KindSet::default(), |s, k| s.with(*k));
            assert_eq!(set.is_empty(), list.is_empty());
            for k in all {
                assert_eq!(set.contains(k), list.contains(&k), "{list:?} {k:?}");
            }
        }
    }
}

#[test]
fn fields_found_at_once_are_the_first_of_each_label() {
    use crate::note::Note;
    let text = "# Encounter 2026-01-04\nPayer: Medicare\n\n\
        ## Procedure: excision\nSite: R cheek\nLesion: 2.2 cm SCC\nMargins: 0.7 cm\n\
        Margins: 0.4 cm\nTechnique: elliptical excision\nRepair: layered, 3 cm\n\
        Site: left arm\nPathology: sent\nDx: C44.329\nDose: 2\n\n\
        ## Procedure 2: shave biopsy\n(A) L scalp: 10 mm plaque\nSize: 4 mm\n\
        Count: 3\nDefect: 1 cm\nExcised diameter: 2 cm\nIndication: r/o BCC\n";
    let note = Note::parse(text);
    let mut asked = 0;
    for enc in &note.encounters {
        for section in &enc.sections {
            let fields = Fields::of(section);
            let labels = section
                .lines
                .iter()
                .filter_map(Line::field)
                .map(|f| f.label);
            for label in labels.chain([Label::Margin, Label::Repair, Label::Dose, Label::Area]) {
                asked += 1;
                assert_eq!(
                    fields.get(label).map(|f| f.value),
                    field(section, label).map(|f| f.value),
                    "{label:?}"
                );
            }
        }
    }
    assert!(asked > 20);
}
