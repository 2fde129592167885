//! A synthetic corpus of encounter notes for the benchmarks and the tests:
//! encounters that mix every procedure family (biopsies of each technique,
//! shave removals, benign and malignant excisions with margins and repairs,
//! destructions, Mohs, phototherapy, E/M with assessment problems), written
//! as fields and as free sentences, with sizes in cm and mm, sites with
//! laterality and landmarks, several payers, `## Billing` sections (some
//! right, some wrong) and CRLF line ends in some encounters.
//!
//! Pure: text out, no IO. The same seed always gives the same text. Every
//! patient and identifier in it is fake.

/// Encounters generated from `seed` until the text holds at least `bytes`
/// bytes (always at least one encounter).
pub fn generate(seed: u64, bytes: usize) -> String {
    let mut g = Gen {
        rng: Rng(seed),
        day: 0,
        mrn: 7_800_000 + (seed % 100_000) as u32 * 10,
    };
    let mut out = String::with_capacity(bytes + 4096);
    while out.is_empty() || out.len() < bytes {
        let encounter = g.encounter();
        if g.rng.chance(10) {
            out.push_str(&encounter.replace('\n', "\r\n"));
        } else {
            out.push_str(&encounter);
        }
        out.push('\n');
    }
    out
}

/// splitmix64: small, fast and good enough to vary the wording (and the
/// tests' scrambled texts).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + (self.next() % u64::from(hi - lo + 1)) as u32
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// A site group, for the codes the generator bills.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Trunk,
    ScalpNeckHands,
    Face,
}

/// (site, a landmark direction for it, its group, whether it is midline).
const SITES: &[(&str, &str, Group, bool)] = &[
    (
        "upper back",
        "below the scapular spine",
        Group::Trunk,
        false,
    ),
    (
        "mid back",
        "below the T6 spinous process",
        Group::Trunk,
        true,
    ),
    (
        "shoulder, posterior",
        "above the scapular spine",
        Group::Trunk,
        false,
    ),
    ("chest", "below the clavicle", Group::Trunk, false),
    ("flank", "above the iliac crest", Group::Trunk, false),
    (
        "dorsal forearm",
        "distal to the elbow crease",
        Group::Trunk,
        false,
    ),
    ("upper arm, lateral", "above the elbow", Group::Trunk, false),
    ("anterior thigh", "above the knee", Group::Trunk, false),
    ("pretibial lower leg", "below the knee", Group::Trunk, false),
    (
        "parietal scalp",
        "from the vertex",
        Group::ScalpNeckHands,
        false,
    ),
    (
        "lateral neck",
        "below the mandible",
        Group::ScalpNeckHands,
        false,
    ),
    (
        "dorsal hand",
        "proximal to the knuckles",
        Group::ScalpNeckHands,
        false,
    ),
    (
        "dorsal foot",
        "proximal to the toes",
        Group::ScalpNeckHands,
        false,
    ),
    (
        "preauricular cheek",
        "anterior to the tragus",
        Group::Face,
        false,
    ),
    ("nasal tip", "above the columella", Group::Face, true),
    ("nasal ala", "lateral to the nasal tip", Group::Face, false),
    ("helix, superior", "above the tragus", Group::Face, false),
    (
        "temple",
        "lateral to the lateral canthus",
        Group::Face,
        false,
    ),
    ("forehead", "above the brow", Group::Face, false),
];

const SIDES: &[&str] = &["left", "right", "L", "R"];

const PAYERS: &[&str] = &[
    "Medicare",
    "Medicare",
    "Medicare",
    "UnitedHealthcare",
    "UHC",
    "Aetna",
    "BCBS",
    "Blue Cross Blue Shield",
    "Medicaid",
    "Commercial (Cigna)",
    "Self-pay",
];

const MORPHOLOGY: &[&str] = &[
    "pink scaly papule",
    "pearly pink papule with telangiectasia",
    "irregularly pigmented macule",
    "keratotic pink nodule",
    "dome-shaped brown papule",
    "erythematous crusted plaque",
    "asymmetric dark brown macule",
    "ulcerated nodule",
];

const RULE_OUTS: &[(&str, &str)] = &[
    ("r/o BCC", "D48.5"),
    ("r/o SCC", "D48.5"),
    ("r/o dysplastic nevus", "D49.2"),
    ("rule out melanoma", "D49.2"),
    ("suspicious for SCC in situ", "D48.5"),
    ("r/o inflammatory dermatosis vs lichen planus", "L43.9"),
];

const MALIGNANT: &[(&str, &str, &str)] = &[
    (
        "biopsy-proven nodular BCC",
        "basal cell carcinoma",
        "C44.519",
    ),
    (
        "biopsy-proven invasive SCC",
        "squamous cell carcinoma",
        "C44.529",
    ),
    (
        "biopsy-proven melanoma in situ",
        "melanoma in situ",
        "D03.59",
    ),
    (
        "biopsy-proven superficial BCC",
        "basal cell carcinoma",
        "C44.619",
    ),
];

const BENIGN: &[(&str, &str, &str)] = &[
    (
        "epidermal inclusion cyst",
        "epidermal inclusion cyst",
        "L72.0",
    ),
    ("compound nevus", "compound nevus", "D22.5"),
    ("dermatofibroma", "dermatofibroma", "D23.5"),
    ("lipoma", "lipoma", "D17.1"),
];

const PLANS: &[(&str, &str)] = &[
    (
        "Rosacea of the central face (L71.9): start metronidazole 0.75% gel twice daily, follow up in 8 weeks.",
        "L71.9",
    ),
    (
        "Seborrheic dermatitis of the scalp (L21.9): ketoconazole 2% shampoo three times weekly.",
        "L21.9",
    ),
    (
        "Acne vulgaris (L70.0): start tretinoin 0.025% cream nightly; recheck in 3 months.",
        "L70.0",
    ),
    (
        "Chronic hand dermatitis (L30.9): clobetasol ointment bid for two weeks, emollients.",
        "L30.9",
    ),
];

struct Gen {
    rng: Rng,
    /// Days since the first encounter.
    day: u32,
    mrn: u32,
}

/// A generated procedure section and the Billing items it supports.
struct Section {
    text: String,
    items: Vec<String>,
    dx: String,
    /// The procedure has a 10- or 90-day global period.
    global: bool,
}

impl Gen {
    fn encounter(&mut self) -> String {
        self.day += self.rng.range(0, 3);
        self.mrn += 1;
        let payer = *self.rng.pick(PAYERS);
        let mut procedures: Vec<Section> = Vec::new();
        let n = match self.rng.range(0, 9) {
            0 => 0,
            1..=6 => 1,
            7 | 8 => 2,
            _ => 3,
        };
        for _ in 0..n {
            let p = self.procedure();
            procedures.push(p);
        }
        let em = procedures.is_empty() || self.rng.chance(35);
        let mut s = format!(
            "# Encounter {}{}\nPatient: MRN {} (synthetic)\nPayer: {payer}\nVisit: established, {}\n",
            date(self.day),
            if self.rng.chance(20) {
                " follow-up"
            } else {
                ""
            },
            self.mrn,
            self.rng.pick(&[
                "new spot",
                "skin check",
                "lesion of concern",
                "procedure visit"
            ])
        );
        let em_code = *self
            .rng
            .pick(&["99212", "99213", "99213", "99214", "99215"]);
        if em {
            s.push_str(&format!("E/M: {em_code}\n"));
        }
        if self.rng.chance(40) {
            s.push_str(
                "\n## HPI\nA lesion that has grown over three months, occasionally bleeds; no prior treatment of it.\n",
            );
        }
        let separate = em && self.rng.chance(70);
        let mut assessment_dx = None;
        if em {
            s.push_str("\n## Assessment and plan\n");
            if separate {
                let (plan, dx) = *self.rng.pick(PLANS);
                s.push_str(&format!("1. {plan}\n"));
                assessment_dx = Some(dx);
            }
            if !procedures.is_empty() {
                s.push_str(&format!(
                    "{}. Lesion(s) of concern: see procedure.\n",
                    if separate { 2 } else { 1 }
                ));
            }
        }
        let numbered = procedures.len() > 1;
        for (i, p) in procedures.iter().enumerate() {
            if numbered {
                s.push_str(
                    &p.text
                        .replacen("## Procedure", &format!("## Procedure {}", i + 1), 1),
                );
            } else {
                s.push_str(&p.text);
            }
        }
        if self.rng.chance(40) {
            s.push_str("\n## Billing\n");
            if em && (procedures.is_empty() || separate) {
                let m = if procedures.is_empty() { "" } else { "-25" };
                s.push_str(&format!(
                    "- {em_code}{m}  Dx: {}\n",
                    assessment_dx.unwrap_or("L82.1")
                ));
            }
            for p in &procedures {
                for item in &p.items {
                    // About one item in six is wrong: a unit or a modifier
                    // off, or a code that does not fit.
                    let item = match self.rng.range(0, 17) {
                        0 => format!("{item} x2"),
                        1 => format!("{item}-59"),
                        2 => item.replace('1', "2"),
                        _ => item.clone(),
                    };
                    s.push_str(&format!("- {item}  Dx: {}\n", p.dx));
                }
            }
        }
        // A re-excision for positive margins in the global period of this
        // one, a week later: modifier 58.
        if procedures.iter().any(|p| p.global) && self.rng.chance(15) {
            self.day += 7;
            let site = self.site(true).0;
            s.push_str(&format!(
                "\n# Encounter {} re-excision\nPatient: MRN {} (synthetic)\nPayer: {payer}\nVisit: established, re-excision for positive margins within the global period\n\n## Procedure: re-excision\nSite: {}\nLesion: 2.5 cm healing excision scar with a positive deep margin\nMargins: 0.5 cm\nTechnique: re-excision down to the fascia\nRepair: intermediate, layered closure, 7.5 cm\nPathology: scar, no residual carcinoma, margins clear\nDx: C44.529\n",
                date(self.day),
                self.mrn,
                site
            ));
        }
        s
    }

    fn procedure(&mut self) -> Section {
        match self.rng.range(0, 11) {
            0..=2 => self.biopsy(),
            3 => self.shave_removal(),
            4 | 5 => self.excision(),
            6 | 7 => self.destruction(),
            8 => self.mohs(),
            9 => self.phototherapy(),
            _ => self.free_text_biopsy(),
        }
    }

    /// A site with laterality, a subsite and often a measured landmark.
    fn site(&mut self, specific: bool) -> (String, Group) {
        let (name, landmark, group, midline) = *self.rng.pick(SITES);
        let mut s = if midline {
            name.to_string()
        } else {
            format!("{} {name}", self.rng.pick(SIDES))
        };
        if specific && self.rng.chance(60) {
            s.push_str(&format!(", {} cm {landmark}", self.rng.range(1, 9)));
        }
        if !specific {
            s = self.rng.pick(&["back", "arm", "leg", "face"]).to_string();
        }
        (s, group)
    }

    /// A lesion size in cm or mm, and its greatest dimension in tenths of a
    /// centimetre.
    fn size(&mut self, lo: u32, hi: u32) -> (String, u32) {
        let tenths = self.rng.range(lo, hi);
        let text = match self.rng.range(0, 3) {
            0 => format!("{} mm", tenths),
            1 => format!("{}.{} x {}.{} cm", tenths / 10, tenths % 10, tenths / 20, 5),
            _ => format!("{}.{} cm", tenths / 10, tenths % 10),
        };
        (text, tenths)
    }

    fn biopsy(&mut self) -> Section {
        let (title, technique, first, addon) = *self.rng.pick(&[
            (
                "shave biopsy",
                "tangential (shave) biopsy with a DermaBlade",
                "11102",
                "11103",
            ),
            (
                "punch biopsy",
                "4 mm punch, closed with one 4-0 nylon suture",
                "11104",
                "11105",
            ),
            (
                "incisional biopsy",
                "incisional biopsy to the subcutis, layered closure",
                "11106",
                "11107",
            ),
        ]);
        let (rule_out, dx) = *self.rng.pick(RULE_OUTS);
        let specific = self.rng.chance(85);
        let lesions = self.rng.range(1, 3);
        let mut text = format!("\n## Procedure: {title}\nTechnique: {technique}\n");
        if lesions == 1 {
            let (site, _) = self.site(specific);
            let (size, _) = self.size(3, 15);
            text.push_str(&format!(
                "Site: {site}\nLesion: {size} {}\nIndication: {rule_out}\n",
                self.rng.pick(MORPHOLOGY)
            ));
        } else {
            for letter in ['A', 'B', 'C'].iter().take(lesions as usize) {
                let (site, _) = self.site(specific);
                let (size, _) = self.size(3, 15);
                text.push_str(&format!(
                    "({letter}) {site}: {size} {}, {rule_out}\n",
                    self.rng.pick(MORPHOLOGY)
                ));
            }
        }
        text.push_str(&format!("Pathology: sent\nDx: {dx}\n"));
        let mut items = vec![first.to_string()];
        if lesions > 1 {
            items.push(if lesions == 2 {
                addon.to_string()
            } else {
                format!("{addon} x{}", lesions - 1)
            });
        }
        Section {
            text,
            items,
            dx: dx.to_string(),
            global: false,
        }
    }

    fn free_text_biopsy(&mut self) -> Section {
        let (site, _) = self.site(true);
        let (size, _) = self.size(3, 12);
        let (rule_out, dx) = *self.rng.pick(RULE_OUTS);
        let (verb, code) = *self.rng.pick(&[
            ("Tangential biopsy of", "11102"),
            ("A 3 mm punch biopsy was taken of", "11104"),
            ("Shave biopsy performed on", "11102"),
        ]);
        Section {
            text: format!(
                "\n## Procedure\n{verb} a {size} {} on the {site}, {rule_out}, path sent. Hemostasis with aluminum chloride.\nDx: {dx}\n",
                self.rng.pick(MORPHOLOGY)
            ),
            items: vec![code.to_string()],
            dx: dx.to_string(),
            global: false,
        }
    }

    fn shave_removal(&mut self) -> Section {
        let (site, group) = self.site(true);
        let (size, tenths) = self.size(3, 25);
        let base = match group {
            Group::Trunk => 11300,
            Group::ScalpNeckHands => 11305,
            Group::Face => 11310,
        };
        let code = base + tier(tenths, &[5, 10, 20]);
        Section {
            text: format!(
                "\n## Procedure: shave removal\nSite: {site}\nLesion: {size} pedunculated flesh-colored papule, irritated and catching on clothing\nTechnique: shave removal with a flexible blade at the level of the surrounding skin\nPathology: sent\nDx: D23.5\n"
            ),
            items: vec![code.to_string()],
            dx: "D23.5".to_string(),
            global: false,
        }
    }

    fn excision(&mut self) -> Section {
        let (site, group) = self.site(true);
        let (size, tenths) = self.size(4, 30);
        let malignant = self.rng.chance(55);
        let (lesion, pathology, dx) = if malignant {
            *self.rng.pick(MALIGNANT)
        } else {
            *self.rng.pick(BENIGN)
        };
        let margin_tenths = if malignant { self.rng.range(2, 10) } else { 1 };
        let margin = if self.rng.chance(50) {
            format!("0.{margin_tenths} cm")
        } else {
            format!("{} mm", margin_tenths)
        };
        let diameter = tenths + 2 * margin_tenths;
        let base = match (malignant, group) {
            (false, Group::Trunk) => 11400,
            (false, Group::ScalpNeckHands) => 11420,
            (false, Group::Face) => 11440,
            (true, Group::Trunk) => 11600,
            (true, Group::ScalpNeckHands) => 11620,
            (true, Group::Face) => 11640,
        };
        // There is no `…5` code: past 4.0 cm the code ends in 6.
        let code = base + tier(diameter, &[5, 10, 20, 30, 40]);
        let code = if code % 10 == 5 { code + 1 } else { code };
        let length = diameter * 3;
        let (repair, repair_code) = match self.rng.range(0, 2) {
            0 => ("simple", None),
            1 => ("intermediate, layered closure", Some("12032")),
            _ => ("complex", Some("13101")),
        };
        let mut text = format!("\n## Procedure: excision\nSite: {site}\nLesion: {size} {lesion}\n");
        if self.rng.chance(90) {
            text.push_str(&format!("Margins: {margin}\n"));
        }
        text.push_str("Technique: elliptical excision to the subcutaneous fat\n");
        if self.rng.chance(50) {
            text.push_str(&format!(
                "Repair: {repair}, {}.{} cm\n",
                length / 10,
                length % 10
            ));
        } else {
            text.push_str(&format!(
                "The defect was closed with a {repair} repair; final length {}.{} cm.\n",
                length / 10,
                length % 10
            ));
        }
        text.push_str(&format!(
            "Pathology: {}\nDx: {dx}\n",
            if self.rng.chance(50) {
                format!("{pathology}, margins clear")
            } else {
                "sent".to_string()
            }
        ));
        let mut items = vec![code.to_string()];
        items.extend(repair_code.map(str::to_string));
        Section {
            text,
            items,
            dx: dx.to_string(),
            global: true,
        }
    }

    fn destruction(&mut self) -> Section {
        let n = match self.rng.range(0, 3) {
            0 => self.rng.range(1, 5),
            1 => self.rng.range(6, 14),
            _ => self.rng.range(15, 30),
        };
        let (noun, dx) = *self.rng.pick(&[
            ("AKs", "L57.0"),
            ("actinic keratoses", "L57.0"),
            ("common warts", "B07.8"),
            ("irritated seborrheic keratoses", "L82.0"),
        ]);
        let (site, _) = self.site(false);
        let sites = format!(
            "scalp ({}), {} ({})",
            n / 2,
            if site == "face" {
                "bilateral dorsal hands"
            } else {
                "bilateral forearms"
            },
            n - n / 2
        );
        let text = match self.rng.range(0, 2) {
            0 => format!(
                "\n## Procedure: cryotherapy\nCount: {n}\nSite: {sites}\nLesion: {noun}, 2-6 mm\nMethod: liquid nitrogen, two freeze-thaw cycles\nDx: {dx}\n"
            ),
            1 => format!(
                "\n## Cryotherapy\n{n} {noun} of the scalp and forearms treated with LN2, two freeze-thaw cycles.\nDx: {dx}\n"
            ),
            _ => format!(
                "\n## Procedure: destruction\nLesion: {noun} x{n}\nSite: {sites}\nTechnique: liquid nitrogen cryotherapy\nDx: {dx}\n"
            ),
        };
        let items = if dx == "L57.0" {
            if n >= 15 {
                vec!["17004".to_string()]
            } else if n == 1 {
                vec!["17000".to_string()]
            } else {
                vec!["17000".to_string(), format!("17003 x{}", n - 1)]
            }
        } else if n >= 15 {
            vec!["17111".to_string()]
        } else {
            vec!["17110".to_string()]
        };
        Section {
            text,
            items,
            dx: dx.to_string(),
            global: true,
        }
    }

    fn mohs(&mut self) -> Section {
        let (site, group) = self.site(true);
        let (size, _) = self.size(5, 20);
        let (lesion, _, dx) = *self.rng.pick(MALIGNANT);
        let stages = self.rng.range(1, 4);
        let mut text = format!(
            "\n## Procedure: Mohs micrographic surgery\nSite: {site}\nLesion: {size} {lesion}\n"
        );
        let mut blocks_over = 0;
        for stage in 1..=stages {
            let blocks = self.rng.range(1, 7);
            if blocks > 5 {
                blocks_over += blocks - 5;
            }
            let finding = if stage == stages {
                "margins clear"
            } else {
                "tumor at the deep margin"
            };
            text.push_str(&format!(
                "Stage {stage}: {blocks} blocks, mapped, {finding}\n"
            ));
        }
        text.push_str(&format!(
            "Repair: intermediate, 2.{} cm\nDx: {dx}\n",
            stages
        ));
        let (first, addon) = if group == Group::Trunk {
            ("17313", "17314")
        } else {
            ("17311", "17312")
        };
        let mut items = vec![first.to_string()];
        if stages > 1 {
            items.push(format!("{addon} x{}", stages - 1));
        }
        if blocks_over > 0 {
            items.push(format!("17315 x{blocks_over}"));
        }
        items.push("12032".to_string());
        Section {
            text,
            items,
            dx: dx.to_string(),
            global: true,
        }
    }

    fn phototherapy(&mut self) -> Section {
        let session = self.rng.range(1, 60);
        let (text, item, dx) = match self.rng.range(0, 2) {
            0 => (
                format!(
                    "\n## Procedure: phototherapy\nNB-UVB full body, {} mJ/cm2, no burning.\nSession: {session}\nIndication: plaque psoriasis, BSA 18%\nDx: L40.0\n",
                    self.rng.range(300, 900)
                ),
                "96910",
                "L40.0",
            ),
            1 => {
                let area = self.rng.range(50, 700);
                let code = match area {
                    0..=250 => "96920",
                    251..=500 => "96921",
                    _ => "96922",
                };
                (
                    format!(
                        "\n## Procedure: excimer laser\nTargeted phototherapy with the 308 nm excimer laser to vitiligo patches of the face and hands.\nArea: {area} sq cm\nSession: {session}\nDx: L80\n"
                    ),
                    code,
                    "L80",
                )
            }
            _ => (
                format!(
                    "\n## Procedure: PUVA\nOral psoralen followed by UVA to the trunk and limbs, session {session}.\nDx: L40.0\n"
                ),
                "96912",
                "L40.0",
            ),
        };
        Section {
            text,
            items: vec![item.to_string()],
            dx: dx.to_string(),
            global: false,
        }
    }
}

/// The tier a size in tenths of a centimetre falls in, by each tier's upper
/// bound (inclusive).
fn tier(tenths: u32, bounds: &[u32]) -> u32 {
    bounds.iter().take_while(|b| tenths > **b).count() as u32
}

/// `YYYY-MM-DD` for a day counted from 2026-01-01, in 28-day months so that
/// every date is valid.
fn date(day: u32) -> String {
    let year = 2026 + day / (12 * 28);
    let month = day / 28 % 12 + 1;
    format!("{year}-{month:02}-{:02}", day % 28 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_text_and_the_size_asked_for() {
        let a = generate(7, 20_000);
        assert_eq!(a, generate(7, 20_000));
        assert_ne!(a, generate(8, 20_000));
        assert!(a.len() >= 20_000 && a.len() < 24_000, "{}", a.len());
        assert!(a.starts_with("# Encounter 2026-01-"));
        assert!(generate(1, 0).starts_with("# Encounter"));
    }

    #[test]
    fn dates_are_valid_and_in_order() {
        assert_eq!(date(0), "2026-01-01");
        assert_eq!(date(27), "2026-01-28");
        assert_eq!(date(28), "2026-02-01");
        assert_eq!(date(12 * 28), "2027-01-01");
    }

    #[test]
    fn tiers() {
        assert_eq!(tier(5, &[5, 10, 20]), 0);
        assert_eq!(tier(6, &[5, 10, 20]), 1);
        assert_eq!(tier(21, &[5, 10, 20]), 3);
    }
}
