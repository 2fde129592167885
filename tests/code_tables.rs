//! Validates the built-in code tables (`src/codes/data/`): every row is
//! complete and sourced, size tiers are contiguous, add-ons point at real
//! primaries, NCCI pairs name known codes, and the MUE and NCCI facts the
//! destruction rules depend on hold.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use dermls::codes::{CodeRow, CodeTable, Family, Global, icd10_derm, icd10_title};
use expect_test::expect;

fn table() -> &'static CodeTable {
    CodeTable::builtin()
}

fn codes(rows: &[&CodeRow]) -> Vec<String> {
    rows.iter().map(|r| r.code.clone()).collect()
}

/// Real codes of the table between `from` and `to` (numeric codes only).
fn range(from: u32, to: u32) -> Vec<String> {
    table()
        .rows()
        .filter(|r| {
            r.code
                .parse::<u32>()
                .is_ok_and(|n| (from..=to).contains(&n))
        })
        .map(|r| r.code.clone())
        .collect()
}

#[test]
fn codes_are_unique_and_complete() {
    let rows: Vec<&CodeRow> = table().rows().collect();
    assert_eq!(rows.len(), 157);
    let unique: HashSet<&str> = rows.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(unique.len(), rows.len());
    let mut sorted = codes(&rows);
    sorted.sort();
    assert_eq!(sorted, codes(&rows), "cpt.csv is in code order");
    for r in &rows {
        assert!(!r.source.trim().is_empty(), "{} has no source", r.code);
        assert!(
            matches!(r.work_year, 2025 | 2026),
            "{} work_year {}",
            r.code,
            r.work_year
        );
        assert!(
            matches!(r.total_year, 2025 | 2026),
            "{} total_year {}",
            r.code,
            r.total_year
        );
        assert!(
            r.work_rvu >= 0.0 && r.nonfac_total_rvu > 0.0 && r.fac_total_rvu > 0.0,
            "{}",
            r.code
        );
        assert!(r.nonfac_total_rvu >= r.work_rvu, "{}", r.code);
        assert_eq!(r.code.len(), 5, "{}", r.code);
    }
}

#[test]
fn every_family_is_present() {
    let families: BTreeSet<Family> = table().rows().map(|r| r.family).collect();
    assert_eq!(
        families.into_iter().collect::<Vec<_>>(),
        Family::ALL.to_vec()
    );
}

#[test]
fn descriptions_are_present_and_distinct() {
    let mut seen = HashSet::new();
    for r in table().rows() {
        assert!(!r.description.trim().is_empty(), "{}", r.code);
        assert!(
            seen.insert(r.description.as_str()),
            "{} repeats a description",
            r.code
        );
    }
}

#[test]
fn sources_name_the_year_they_give() {
    let mut counts = BTreeMap::new();
    for r in table().rows() {
        let expected = match (r.work_year, r.total_year) {
            (2026, 2026) => "work RVU and non-facility total: source guide 2026",
            (2025, 2026) => "totals: CMS PFS 2026 national rates",
            (2025, 2025) => "CMS RVU25D",
            years => panic!("{}: unexpected years {years:?}", r.code),
        };
        assert!(r.source.starts_with(expected), "{}: {}", r.code, r.source);
        assert_eq!(
            r.mue.is_some(),
            r.source.contains("MUE: CMS practitioner MUE 2026"),
            "{}",
            r.code
        );
        *counts.entry((r.work_year, r.total_year)).or_insert(0) += 1;
    }
    assert_eq!(
        counts,
        BTreeMap::from([((2025, 2025), 122), ((2025, 2026), 15), ((2026, 2026), 20)])
    );
}

#[test]
fn addons_are_the_zzz_codes_and_point_at_primaries() {
    let addons: Vec<&str> = table()
        .rows()
        .filter(|r| r.addon)
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(
        addons,
        [
            "11103", "11105", "11107", "11201", "13102", "13122", "13133", "13153", "17003",
            "17312", "17314", "17315", "G2211"
        ]
    );
    for r in table().rows() {
        assert_eq!(r.addon, r.global == Global::Zzz, "{}", r.code);
        assert_eq!(r.addon, !r.addon_of.is_empty(), "{}", r.code);
        for p in &r.addon_of {
            let primary = table()
                .get(p)
                .unwrap_or_else(|| panic!("{}: unknown primary {p}", r.code));
            assert!(!primary.addon, "{}: {p} is an add-on", r.code);
            if r.code != "G2211" {
                assert_eq!(primary.family, r.family, "{}: {p}", r.code);
            }
        }
    }
    let addon_of: BTreeMap<&str, String> = table()
        .rows()
        .filter(|r| r.addon)
        .map(|r| (r.code.as_str(), r.addon_of.join("|")))
        .collect();
    assert_eq!(addon_of["11103"], "11102|11104|11106");
    assert_eq!(addon_of["11105"], "11104|11106");
    assert_eq!(addon_of["11107"], "11106");
    assert_eq!(addon_of["17003"], "17000");
    assert_eq!(addon_of["17312"], "17311");
    assert_eq!(addon_of["17314"], "17313");
    assert_eq!(addon_of["17315"], "17311|17313");
    assert_eq!(addon_of["13102"], "13100|13101");
    assert_eq!(addon_of["13122"], "13120|13121");
    assert_eq!(addon_of["13133"], "13131|13132");
    assert_eq!(addon_of["13153"], "13151|13152");
}

#[test]
fn tiers_are_contiguous_and_do_not_overlap() {
    let mut groups: BTreeMap<(Family, String), Vec<&CodeRow>> = BTreeMap::new();
    for r in table().rows().filter(|r| !r.addon) {
        if let Some(g) = &r.group {
            groups.entry((r.family, g.clone())).or_default().push(r);
        }
    }
    for ((family, group), mut rows) in groups {
        let tiered = rows
            .iter()
            .filter(|r| r.tier_min.is_some() || r.tier_max.is_some())
            .count();
        if tiered == 0 {
            continue;
        }
        assert_eq!(
            tiered,
            rows.len(),
            "{family} {group}: some primaries lack a tier"
        );
        rows.sort_by_key(|r| r.tier_min);
        assert!(
            rows[0].tier_min.is_some(),
            "{family} {group}: first tier has no lower bound"
        );
        for pair in rows.windows(2) {
            assert!(
                pair[0].tier_max.is_some(),
                "{family} {group}: {} is unbounded but not last",
                pair[0].code
            );
            assert_eq!(
                pair[0].tier_max, pair[1].tier_min,
                "{family} {group}: gap or overlap at {}",
                pair[1].code
            );
        }
        for r in &rows {
            if let (Some(min), Some(max)) = (r.tier_min, r.tier_max) {
                assert!(min < max, "{}", r.code);
            }
        }
        // The last tier is open-ended, unless an add-on continues it (complex repair).
        let has_addon = table()
            .rows()
            .any(|r| r.addon && r.family == family && r.group.as_deref() == Some(group.as_str()));
        assert!(
            rows.last().unwrap().tier_max.is_none() || has_addon,
            "{family} {group}: the last tier is bounded and no add-on continues it"
        );
    }
}

#[test]
fn families_groups_and_tiers() {
    let mut out = String::new();
    let mut last = None;
    for r in table().rows() {
        let key = (r.family, r.group.clone());
        if last.as_ref() != Some(&key) {
            write!(out, "\n{} {}:", r.family, r.group.as_deref().unwrap_or("-")).unwrap();
            last = Some(key);
        }
        let bound = |b: Option<u32>| b.map_or(String::new(), |b| b.to_string());
        write!(out, " {}", r.code).unwrap();
        if r.addon {
            out.push('+');
        }
        if r.tier_min.is_some() || r.tier_max.is_some() {
            write!(out, "({}-{})", bound(r.tier_min), bound(r.tier_max)).unwrap();
        }
    }
    expect![[r#"

        other -: 10060 10061 11055 11056 11057
        biopsy tangential: 11102 11103+
        biopsy punch: 11104 11105+
        biopsy incisional: 11106 11107+
        other -: 11200 11201+
        shave-removal trunk-arms-legs: 11300(0-5000) 11301(5000-10000) 11302(10000-20000) 11303(20000-)
        shave-removal scalp-neck-hands-feet-genitalia: 11305(0-5000) 11306(5000-10000) 11307(10000-20000) 11308(20000-)
        shave-removal face-ears-eyelids-nose-lips-mucosa: 11310(0-5000) 11311(5000-10000) 11312(10000-20000) 11313(20000-)
        excision-benign trunk-arms-legs: 11400(0-5000) 11401(5000-10000) 11402(10000-20000) 11403(20000-30000) 11404(30000-40000) 11406(40000-)
        excision-benign scalp-neck-hands-feet-genitalia: 11420(0-5000) 11421(5000-10000) 11422(10000-20000) 11423(20000-30000) 11424(30000-40000) 11426(40000-)
        excision-benign face-ears-eyelids-nose-lips-mucosa: 11440(0-5000) 11441(5000-10000) 11442(10000-20000) 11443(20000-30000) 11444(30000-40000) 11446(40000-)
        excision-malignant trunk-arms-legs: 11600(0-5000) 11601(5000-10000) 11602(10000-20000) 11603(20000-30000) 11604(30000-40000) 11606(40000-)
        excision-malignant scalp-neck-hands-feet-genitalia: 11620(0-5000) 11621(5000-10000) 11622(10000-20000) 11623(20000-30000) 11624(30000-40000) 11626(40000-)
        excision-malignant face-ears-eyelids-nose-lips-mucosa: 11640(0-5000) 11641(5000-10000) 11642(10000-20000) 11643(20000-30000) 11644(30000-40000) 11646(40000-)
        other -: 11900 11901
        repair-simple body: 12001(0-25000) 12002(25000-75000) 12004(75000-125000) 12005(125000-200000) 12006(200000-300000) 12007(300000-)
        repair-simple face-ears-eyelids-nose-lips-mucosa: 12011(0-25000) 12013(25000-50000) 12014(50000-75000) 12015(75000-125000) 12016(125000-200000) 12017(200000-300000) 12018(300000-)
        repair-intermediate scalp-axillae-trunk-extremities: 12031(0-25000) 12032(25000-75000) 12034(75000-125000) 12035(125000-200000) 12036(200000-300000) 12037(300000-)
        repair-intermediate neck-hands-feet-genitalia: 12041(0-25000) 12042(25000-75000) 12044(75000-125000) 12045(125000-200000) 12046(200000-300000) 12047(300000-)
        repair-intermediate face-ears-eyelids-nose-lips-mucosa: 12051(0-25000) 12052(25000-50000) 12053(50000-75000) 12054(75000-125000) 12055(125000-200000) 12056(200000-300000) 12057(300000-)
        repair-complex trunk: 13100(10000-25000) 13101(25000-75000) 13102+
        repair-complex scalp-arms-legs: 13120(10000-25000) 13121(25000-75000) 13122+
        repair-complex forehead-cheeks-chin-mouth-neck-axillae-genitalia-hands-feet: 13131(10000-25000) 13132(25000-75000) 13133+
        repair-complex eyelids-nose-ears-lips: 13151(10000-25000) 13152(25000-75000) 13153+
        other -: 13160
        destruction-premalignant -: 17000 17003+ 17004
        destruction-benign -: 17110 17111
        other -: 17250
        destruction-malignant trunk-arms-legs: 17260(0-5000) 17261(5000-10000) 17262(10000-20000) 17263(20000-30000) 17264(30000-40000) 17266(40000-)
        destruction-malignant scalp-neck-hands-feet-genitalia: 17270(0-5000) 17271(5000-10000) 17272(10000-20000) 17273(20000-30000) 17274(30000-40000) 17276(40000-)
        destruction-malignant face-ears-eyelids-nose-lips-mucosa: 17280(0-5000) 17281(5000-10000) 17282(10000-20000) 17283(20000-30000) 17284(30000-40000) 17286(40000-)
        mohs head-neck-hands-feet-genitalia: 17311 17312+
        mohs trunk-arms-legs: 17313 17314+
        mohs -: 17315+
        pathology -: 88305 88331 88332
        phototherapy uvb: 96900
        phototherapy tar-uvb: 96910
        phototherapy puva: 96912
        phototherapy severe-4-8-hours: 96913
        phototherapy excimer: 96920(0-249) 96921(249-500) 96922(500-)
        em new: 99202 99203 99204 99205
        em established: 99211 99212 99213 99214 99215
        other -: G2211+"#]].assert_eq(&out);
}

#[test]
fn group_names_are_the_agreed_ones() {
    let mut groups: BTreeMap<Family, BTreeSet<&str>> = BTreeMap::new();
    for r in table().rows() {
        groups
            .entry(r.family)
            .or_default()
            .insert(r.group.as_deref().unwrap_or(""));
    }
    let sites = [
        "face-ears-eyelids-nose-lips-mucosa",
        "scalp-neck-hands-feet-genitalia",
        "trunk-arms-legs",
    ];
    let expected: BTreeMap<Family, Vec<&str>> = [
        (Family::Biopsy, vec!["incisional", "punch", "tangential"]),
        (Family::ShaveRemoval, sites.to_vec()),
        (Family::ExcisionBenign, sites.to_vec()),
        (Family::ExcisionMalignant, sites.to_vec()),
        (
            Family::RepairSimple,
            vec!["body", "face-ears-eyelids-nose-lips-mucosa"],
        ),
        (
            Family::RepairIntermediate,
            vec![
                "face-ears-eyelids-nose-lips-mucosa",
                "neck-hands-feet-genitalia",
                "scalp-axillae-trunk-extremities",
            ],
        ),
        (
            Family::RepairComplex,
            vec![
                "eyelids-nose-ears-lips",
                "forehead-cheeks-chin-mouth-neck-axillae-genitalia-hands-feet",
                "scalp-arms-legs",
                "trunk",
            ],
        ),
        (Family::DestructionPremalignant, vec![""]),
        (Family::DestructionBenign, vec![""]),
        (Family::DestructionMalignant, sites.to_vec()),
        (
            Family::Mohs,
            vec!["", "head-neck-hands-feet-genitalia", "trunk-arms-legs"],
        ),
        (
            Family::Phototherapy,
            vec!["excimer", "puva", "severe-4-8-hours", "tar-uvb", "uvb"],
        ),
        (Family::Em, vec!["established", "new"]),
        (Family::Pathology, vec![""]),
        (Family::Other, vec![""]),
    ]
    .into_iter()
    .collect();
    let actual: BTreeMap<Family, Vec<&str>> = groups
        .into_iter()
        .map(|(f, g)| (f, g.into_iter().collect()))
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn destruction_mues_and_pairs() {
    let t = table();
    assert_eq!(t.mue("17000"), Some(1));
    assert_eq!(t.mue("17003"), Some(13));
    assert_eq!(t.mue("17004"), Some(1));
    assert_eq!(
        t.ncci("17004", "17000").map(|p| p.modifier_indicator),
        Some(0)
    );
    assert_eq!(
        t.ncci("17004", "17003").map(|p| p.modifier_indicator),
        Some(0)
    );
    assert_eq!(
        t.ncci("17111", "17110").map(|p| p.modifier_indicator),
        Some(0)
    );
    assert_eq!(
        t.get("17111").map(|r| (r.addon, r.global.days())),
        Some((false, Some(10)))
    );
}

#[test]
fn mues_are_the_cms_subset() {
    let mues: Vec<(String, u32)> = table()
        .rows()
        .filter_map(|r| r.mue.map(|m| (r.code.clone(), m)))
        .collect();
    let expected: Vec<(String, u32)> = [
        ("10060", 1),
        ("10061", 1),
        ("12001", 1),
        ("12002", 1),
        ("12004", 1),
        ("12011", 1),
        ("17000", 1),
        ("17003", 13),
        ("17004", 1),
        ("99202", 1),
        ("99203", 1),
        ("99204", 1),
        ("99205", 1),
        ("99211", 1),
        ("99212", 2),
        ("99213", 2),
        ("99214", 2),
        ("99215", 1),
    ]
    .into_iter()
    .map(|(c, m)| (c.to_string(), m))
    .collect();
    assert_eq!(mues, expected);
}

#[test]
fn ncci_pairs_name_known_codes_and_are_unique() {
    let t = table();
    let mut seen = HashSet::new();
    for p in t.ncci_pairs() {
        assert!(
            t.get(&p.column1).is_some(),
            "unknown column 1 code {}",
            p.column1
        );
        assert!(
            t.get(&p.column2).is_some(),
            "unknown column 2 code {}",
            p.column2
        );
        assert!(matches!(p.modifier_indicator, 0 | 1 | 9));
        assert!(!p.source.trim().is_empty());
        assert!(
            seen.insert((p.column1.as_str(), p.column2.as_str())),
            "duplicate pair {} {}",
            p.column1,
            p.column2
        );
    }
    assert_eq!(t.ncci_pairs().len(), 1853);
    let cms = t
        .ncci_pairs()
        .iter()
        .filter(|p| p.source.starts_with("CMS NCCI"))
        .count();
    assert_eq!(cms, 100);
    let deleted: Vec<(&str, &str, Option<&str>)> = t
        .ncci_pairs()
        .iter()
        .filter(|p| !p.is_active())
        .map(|p| {
            (
                p.column1.as_str(),
                p.column2.as_str(),
                p.deletion_date.as_deref(),
            )
        })
        .collect();
    assert_eq!(deleted, [("12001", "12011", Some("2019-12-31"))]);
}

#[test]
fn the_rule_implied_pairs_are_present() {
    let t = table();
    let indicator = |a: &str, b: &str| t.ncci(a, b).map(|p| p.modifier_indicator);
    let mut procedures: Vec<String> = range(11400, 11646);
    procedures.extend(range(11300, 11313));
    procedures.extend(["17000", "17004", "17110", "17111", "17311", "17313"].map(String::from));
    procedures.extend(range(17260, 17286));
    assert_eq!(procedures.len(), 72);
    for c1 in &procedures {
        for c2 in ["11102", "11104", "11106"] {
            assert_eq!(indicator(c1, c2), Some(1), "{c1} {c2}");
        }
    }
    let excisions = range(11400, 11646);
    assert_eq!(excisions.len(), 36);
    let simple = range(12001, 12018);
    assert_eq!(simple.len(), 13);
    for c1 in &excisions {
        for c2 in &simple {
            assert_eq!(indicator(c1, c2), Some(1), "{c1} {c2}");
        }
    }
    let mut with_em = procedures.clone();
    with_em.extend(["11102", "11104", "11106"].map(String::from));
    with_em.extend(
        range(12001, 13153)
            .into_iter()
            .filter(|c| !t.get(c).unwrap().addon),
    );
    with_em.extend(range(96900, 96922));
    assert_eq!(with_em.len(), 122);
    let ems: Vec<String> = range(99202, 99215);
    assert_eq!(ems.len(), 9);
    for c1 in &with_em {
        for c2 in &ems {
            assert_eq!(indicator(c1, c2), Some(1), "{c1} {c2}");
        }
    }
    // The CMS row wins where the extract has the pair.
    assert!(
        t.ncci("17000", "99213")
            .unwrap()
            .source
            .starts_with("CMS NCCI")
    );
    assert!(
        t.ncci("17000", "99203")
            .unwrap()
            .source
            .starts_with("CODING-RULES")
    );
    assert_eq!(indicator("13102", "99213"), None);
    assert_eq!(indicator("99213", "17000"), None);
}

#[test]
fn modifiers_are_complete() {
    let mods: Vec<&str> = table()
        .modifiers()
        .iter()
        .map(|m| m.modifier.as_str())
        .collect();
    assert_eq!(
        mods,
        [
            "25", "57", "58", "59", "76", "77", "79", "XE", "XS", "XP", "XU", "51", "RT", "LT",
            "50", "24", "78", "52", "22", "GA", "GZ", "GY", "KX", "95", "GC", "E1", "E2", "E3",
            "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "TA", "T1", "T2",
            "T3", "T4", "T5", "T6", "T7", "T8", "T9"
        ]
    );
    for m in table().modifiers() {
        assert!(
            !m.meaning.is_empty() && !m.applies_when.is_empty() && !m.source.is_empty(),
            "{}",
            m.modifier
        );
    }
}

#[test]
fn the_destruction_and_biopsy_rows_that_rules_depend_on() {
    let t = table();
    assert_eq!(
        t.addon_for("11104", Family::Biopsy)
            .map(|r| r.code.as_str()),
        Some("11105")
    );
    assert_eq!(
        t.addon_for("17311", Family::Mohs).map(|r| r.code.as_str()),
        Some("17312")
    );
    assert_eq!(
        t.primary(Family::Phototherapy, "uvb")
            .map(|r| r.code.as_str()),
        Some("96900")
    );
    assert_eq!(t.get("88305").map(|r| r.global.as_str()), Some("XXX"));
    assert_eq!(t.get("13160").map(|r| r.global.days()), Some(Some(90)));
}

#[test]
fn icd10_dermatology_subset_resolves() {
    assert_eq!(icd10_derm().count(), 518);
    for (code, title) in icd10_derm() {
        assert_eq!(icd10_title(code), Some(title), "{code}");
    }
}
