//! The CPT code table, NCCI pairs and modifiers: the types, the built-in
//! tables (parsed once from `data/*.csv`) and the lookups the rules use.

use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasherDefault;
use std::sync::LazyLock;

use super::cms::CmsRvu;
use super::csv::{LoadError, Record, builtin_records, required};

const CPT_CSV: &str = include_str!("data/cpt.csv");
const NCCI_CSV: &str = include_str!("data/ncci.csv");
const MODIFIERS_CSV: &str = include_str!("data/modifiers.csv");

const CPT_FILE: &str = "src/codes/data/cpt.csv";
const NCCI_FILE: &str = "src/codes/data/ncci.csv";
const MODIFIERS_FILE: &str = "src/codes/data/modifiers.csv";

const CPT_HEADER: &[&str] = &[
    "code",
    "family",
    "kind",
    "group",
    "tier_min",
    "tier_max",
    "description",
    "work_rvu",
    "work_year",
    "nonfac_total_rvu",
    "fac_total_rvu",
    "total_year",
    "global_days",
    "mue",
    "addon_of",
    "source",
];
const NCCI_HEADER: &[&str] = &[
    "column1",
    "column2",
    "modifier_indicator",
    "deletion_date",
    "source",
];
const MODIFIERS_HEADER: &[&str] = &["modifier", "meaning", "applies_when", "source"];

static BUILTIN: LazyLock<CodeTable> = LazyLock::new(|| {
    let built = (|| {
        Ok::<_, LoadError>(CodeTable::from_parts(
            parse_cpt_csv(CPT_FILE, CPT_CSV)?,
            parse_ncci_csv(NCCI_FILE, NCCI_CSV)?,
            parse_modifiers_csv(MODIFIERS_FILE, MODIFIERS_CSV)?,
        ))
    })();
    built.unwrap_or_else(|e| panic!("built-in code table: {e}"))
});

/// The code family a CPT/HCPCS code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Skin biopsy, 11102–11107.
    Biopsy,
    /// Shave removal, 11300–11313.
    ShaveRemoval,
    /// Excision of a benign lesion, 11400–11446.
    ExcisionBenign,
    /// Excision of a malignant lesion, 11600–11646.
    ExcisionMalignant,
    /// Simple repair, 12001–12018.
    RepairSimple,
    /// Intermediate (layered) repair, 12031–12057.
    RepairIntermediate,
    /// Complex repair, 13100–13153.
    RepairComplex,
    /// Destruction of premalignant lesions, 17000–17004.
    DestructionPremalignant,
    /// Destruction of benign lesions, 17110–17111.
    DestructionBenign,
    /// Destruction of malignant lesions, 17260–17286.
    DestructionMalignant,
    /// Mohs micrographic surgery, 17311–17315.
    Mohs,
    /// Phototherapy and excimer laser, 96900–96922.
    Phototherapy,
    /// Office evaluation and management, 99202–99215.
    Em,
    /// Surgical pathology and frozen sections, 88305, 88331, 88332.
    Pathology,
    /// Everything else in the table (I&D, paring, skin tags, injections, G2211…).
    Other,
}

impl Family {
    /// Every family, in declaration order.
    pub const ALL: [Family; 15] = [
        Family::Biopsy,
        Family::ShaveRemoval,
        Family::ExcisionBenign,
        Family::ExcisionMalignant,
        Family::RepairSimple,
        Family::RepairIntermediate,
        Family::RepairComplex,
        Family::DestructionPremalignant,
        Family::DestructionBenign,
        Family::DestructionMalignant,
        Family::Mohs,
        Family::Phototherapy,
        Family::Em,
        Family::Pathology,
        Family::Other,
    ];

    /// The family's name as written in `cpt.csv` (`"shave-removal"`, `"em"`…).
    pub fn as_str(&self) -> &'static str {
        match self {
            Family::Biopsy => "biopsy",
            Family::ShaveRemoval => "shave-removal",
            Family::ExcisionBenign => "excision-benign",
            Family::ExcisionMalignant => "excision-malignant",
            Family::RepairSimple => "repair-simple",
            Family::RepairIntermediate => "repair-intermediate",
            Family::RepairComplex => "repair-complex",
            Family::DestructionPremalignant => "destruction-premalignant",
            Family::DestructionBenign => "destruction-benign",
            Family::DestructionMalignant => "destruction-malignant",
            Family::Mohs => "mohs",
            Family::Phototherapy => "phototherapy",
            Family::Em => "em",
            Family::Pathology => "pathology",
            Family::Other => "other",
        }
    }

    /// The family named `s` (as [`Family::as_str`] writes it), if any.
    pub fn parse(s: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The global surgical period of a code, as the fee schedule states it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Global {
    /// `000`: same-day only.
    Days0,
    /// `010`: ten postoperative days.
    Days10,
    /// `090`: major surgery, ninety postoperative days.
    Days90,
    /// `XXX`: the global concept does not apply.
    Xxx,
    /// `ZZZ`: an add-on, inside the global period of its primary code.
    Zzz,
    /// Any other indicator (`YYY`, `MMM`…), kept as written.
    Other(String),
}

impl Global {
    /// Reads a `GLOB DAYS` value (`000`, `010`, `090`, `XXX`, `ZZZ`; anything
    /// else is kept as [`Global::Other`]).
    pub fn parse(s: &str) -> Global {
        match s.trim() {
            "000" => Global::Days0,
            "010" => Global::Days10,
            "090" => Global::Days90,
            "XXX" => Global::Xxx,
            "ZZZ" => Global::Zzz,
            other => Global::Other(other.to_string()),
        }
    }

    /// The number of postoperative days, for 000/010/090; `None` otherwise.
    pub fn days(&self) -> Option<u32> {
        match self {
            Global::Days0 => Some(0),
            Global::Days10 => Some(10),
            Global::Days90 => Some(90),
            _ => None,
        }
    }

    /// The indicator as the fee schedule writes it (`"010"`, `"ZZZ"`…).
    pub fn as_str(&self) -> &str {
        match self {
            Global::Days0 => "000",
            Global::Days10 => "010",
            Global::Days90 => "090",
            Global::Xxx => "XXX",
            Global::Zzz => "ZZZ",
            Global::Other(s) => s,
        }
    }
}

impl fmt::Display for Global {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One CPT/HCPCS code of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct CodeRow {
    /// The code, e.g. `"11102"` or `"G2211"`.
    pub code: String,
    /// Its family.
    pub family: Family,
    /// True for an add-on (ZZZ-global) code that is only reported with a primary.
    pub addon: bool,
    /// The site group or variant within the family (`"trunk-arms-legs"`,
    /// `"punch"`, `"excimer"`, `"new"`…), `None` when the family has none.
    pub group: Option<String>,
    /// Lower tier bound, exclusive (micrometres of diameter or length; square
    /// centimetres for excimer laser); `None` = unbounded or untiered.
    pub tier_min: Option<u32>,
    /// Upper tier bound, inclusive; `None` = unbounded or untiered.
    pub tier_max: Option<u32>,
    /// A short plain-language description (not the AMA descriptor).
    pub description: String,
    /// Work RVU.
    pub work_rvu: f64,
    /// The year of the work RVU's source.
    pub work_year: u16,
    /// Non-facility total RVU (the basis of the payment estimate).
    pub nonfac_total_rvu: f64,
    /// Facility total RVU.
    pub fac_total_rvu: f64,
    /// The year of the totals' source.
    pub total_year: u16,
    /// Global surgical period.
    pub global: Global,
    /// Practitioner MUE (units per day), where known.
    pub mue: Option<u32>,
    /// For an add-on: the primary codes it is reported with.
    pub addon_of: Vec<String>,
    /// Where the numbers come from (file and release).
    pub source: String,
}

/// One NCCI procedure-to-procedure pair: `column2` is bundled into `column1`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NcciPair {
    /// The column-1 (comprehensive) code.
    pub column1: String,
    /// The column-2 (component) code, the one that is denied or takes the modifier.
    pub column2: String,
    /// 0 = no modifier can unbundle the pair, 1 = a modifier (59/X{EPSU}, 25…)
    /// can when the documentation supports it, 9 = not applicable.
    pub modifier_indicator: u8,
    /// The deletion date as the source writes it, for a deleted pair; `None`
    /// for an active one.
    pub deletion_date: Option<String>,
    /// Where the pair comes from.
    pub source: String,
}

impl NcciPair {
    /// True when the pair has no deletion date.
    pub fn is_active(&self) -> bool {
        self.deletion_date.is_none()
    }
}

/// A CPT/HCPCS modifier and when it applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Modifier {
    /// The modifier, e.g. `"25"` or `"XS"`.
    pub modifier: String,
    /// What it means, in plain language.
    pub meaning: String,
    /// When the documentation supports it.
    pub applies_when: String,
    /// Where the rule comes from.
    pub source: String,
}

/// The code table with its NCCI pairs and modifiers. [`CodeTable::builtin`]
/// is the checked-in data; [`CodeTable::with_cms`] overlays CMS files a user
/// loaded.
#[derive(Clone, Debug)]
pub struct CodeTable {
    rows: Vec<CodeRow>,
    /// Rows by their code packed into a [`CodeKey`] (every code of the
    /// built-in table); the last row of a code wins.
    by_key: KeyIndex,
    /// Rows whose code does not pack (longer than eight bytes, or holding a
    /// zero byte), by code.
    by_long_code: HashMap<String, usize, Quick>,
    ncci: Vec<NcciPair>,
    /// Active pairs whose two codes pack, by (column 1, column 2): the first
    /// such pair in source order.
    active_pairs: HashMap<(CodeKey, CodeKey), usize, KeyHash>,
    /// Active pairs with a code that does not pack, in source order.
    active_long: Vec<usize>,
    /// The primary (non-add-on) rows of each family and group, in code
    /// order: what [`CodeTable::by_tier`] and [`CodeTable::primary`]
    /// search, without a pass over every row.
    primaries_by_group: Vec<(Family, String, Vec<usize>)>,
    /// The add-on rows, in code order: what [`CodeTable::addon_for`]
    /// searches.
    addons: Vec<usize>,
    modifiers: Vec<Modifier>,
    /// The modifiers whose names pack ([`pack_upper`]), by their packed
    /// upper-case name: the first in file order of each.
    modifiers_by_key: KeyIndex,
}

impl CodeTable {
    /// The built-in table (parsed from `src/codes/data/` on first use).
    pub fn builtin() -> &'static CodeTable {
        &BUILTIN
    }

    /// The row of `code` (exact; lower-case letters and surrounding spaces are
    /// tolerated).
    pub fn get(&self, code: &str) -> Option<&CodeRow> {
        self.index_of(code).map(|i| &self.rows[i])
    }

    /// Every row, in code order.
    pub fn rows(&self) -> impl Iterator<Item = &CodeRow> {
        self.rows.iter()
    }

    /// The primary code of `family` in `group` whose tier holds `value`
    /// (`tier_min < value <= tier_max`, a missing bound being unbounded).
    /// Untiered rows never match. Values are micrometres of diameter or length
    /// (1 cm = 10000), square centimetres for excimer laser.
    pub fn by_tier(&self, family: Family, group: &str, value: u32) -> Option<&CodeRow> {
        self.primaries(family, group).find(|r| {
            (r.tier_min.is_some() || r.tier_max.is_some())
                && r.tier_min.is_none_or(|min| value > min)
                && r.tier_max.is_none_or(|max| value <= max)
        })
    }

    /// The first primary (non-add-on) code of `family` in `group`, in code
    /// order: the code of an untiered family such as a biopsy technique, a Mohs
    /// site or a phototherapy variant (for a tiered group, its lowest tier).
    pub fn primary(&self, family: Family, group: &str) -> Option<&CodeRow> {
        self.primaries(family, group).next()
    }

    /// The add-on of `family` reported with `primary_code`: among the add-ons
    /// that list it in `addon_of`, the one in the primary's own group
    /// (`("11104", Biopsy)` → 11105, `("17311", Mohs)` → 17312, not 17315),
    /// else the first in code order.
    pub fn addon_for(&self, primary_code: &str, family: Family) -> Option<&CodeRow> {
        let primary = self.get(primary_code)?;
        let mut candidates = self
            .addons
            .iter()
            .map(|&i| &self.rows[i])
            .filter(|r| r.family == family && r.addon_of.contains(&primary.code));
        let first = candidates.next()?;
        if first.group == primary.group {
            return Some(first);
        }
        candidates
            .find(|r| r.group == primary.group)
            .or(Some(first))
    }

    /// The active NCCI pair with `column1` as column 1 and `column2` as
    /// column 2, if any. Order matters; deleted pairs are ignored.
    pub fn ncci(&self, column1: &str, column2: &str) -> Option<&NcciPair> {
        match (lookup_key(column1), lookup_key(column2)) {
            (Ok(a), Ok(b)) => self.active_pairs.get(&(a, b)).map(|&i| &self.ncci[i]),
            (a, b) => {
                let column1 = a.map_or_else(|c| c, |_| normalize_code(column1));
                let column2 = b.map_or_else(|c| c, |_| normalize_code(column2));
                self.active_long
                    .iter()
                    .map(|&i| &self.ncci[i])
                    .find(|p| p.column1 == column1.as_ref() && p.column2 == column2.as_ref())
            }
        }
    }

    /// [`CodeTable::get`] for a code read once with [`NcciCode::new`]: its
    /// packed key is looked up without reading the code again.
    pub fn get_of(&self, code: NcciCode) -> Option<&CodeRow> {
        match code.key {
            Some(key) => self.by_key.get(key).map(|i| &self.rows[i]),
            None => self.get(code.code),
        }
    }

    /// [`CodeTable::ncci`] for codes read once with [`NcciCode::new`]: a
    /// code looked up in several pairs (each claim line against every
    /// other) is trimmed, upper-cased and packed once, not once per pair.
    pub fn ncci_of(&self, column1: NcciCode, column2: NcciCode) -> Option<&NcciPair> {
        match (column1.key, column2.key) {
            (Some(a), Some(b)) => self.active_pairs.get(&(a, b)).map(|&i| &self.ncci[i]),
            _ => self.ncci(column1.code, column2.code),
        }
    }

    /// Every NCCI pair, deleted ones included, in source order.
    pub fn ncci_pairs(&self) -> &[NcciPair] {
        &self.ncci
    }

    /// The practitioner MUE of `code`, where known.
    pub fn mue(&self, code: &str) -> Option<u32> {
        self.get(code)?.mue
    }

    /// The modifier `m` (case-insensitive: `"xs"` finds `XS`).
    pub fn modifier(&self, m: &str) -> Option<&Modifier> {
        let m = m.trim();
        // A name of ASCII letters and digits equals another ignoring ASCII
        // case just when both pack to the same key; a name that does not
        // pack (other bytes, or longer) can equal no such name.
        if let Some(key) = pack_upper(m.as_bytes()) {
            return self.modifiers_by_key.get(key).map(|i| &self.modifiers[i]);
        }
        self.modifiers
            .iter()
            .find(|x| x.modifier.eq_ignore_ascii_case(m))
    }

    /// Every modifier the table knows, in file order.
    pub fn modifiers(&self) -> &[Modifier] {
        &self.modifiers
    }

    /// A copy of this table with CMS files applied:
    ///
    /// - `rvu`: each row whose code is in the table replaces its work RVU,
    ///   totals and global period; both years become the file's year (kept as
    ///   they were when the file states none) and the source names the file.
    ///   Codes the table does not have are ignored (the table holds the
    ///   dermatology codes only).
    /// - `ncci`: replaces the whole pair set. Only pairs whose two codes are
    ///   both in the table are kept (a full CMS file has some 600,000 pairs;
    ///   lookups of codes the table lacks find nothing either way).
    /// - `mue`: each code listed gets that MUE; codes not listed keep theirs.
    pub fn with_cms(
        &self,
        rvu: Option<&CmsRvu>,
        ncci: Option<&[NcciPair]>,
        mue: Option<&[(String, u32)]>,
    ) -> CodeTable {
        let mut rows = self.rows.clone();
        if let Some(rvu) = rvu {
            let year = rvu
                .year
                .map_or_else(|| "year not stated".to_string(), |y| format!("CY{y}"));
            for cms in &rvu.rows {
                let Some(i) = self.index_of(&cms.code) else {
                    continue;
                };
                let row = &mut rows[i];
                row.work_rvu = cms.work_rvu;
                row.nonfac_total_rvu = cms.nonfac_total_rvu;
                row.fac_total_rvu = cms.fac_total_rvu;
                row.global = cms.global.clone();
                if let Some(y) = rvu.year {
                    row.work_year = y;
                    row.total_year = y;
                }
                row.source = format!("CMS PPRRVU file loaded by the user ({year})");
            }
        }
        if let Some(mue) = mue {
            for (code, units) in mue {
                if let Some(i) = self.index_of(code) {
                    rows[i].mue = Some(*units);
                }
            }
        }
        let pairs = match ncci {
            Some(pairs) => pairs
                .iter()
                .filter(|p| {
                    self.index_of(&p.column1).is_some() && self.index_of(&p.column2).is_some()
                })
                .cloned()
                .collect(),
            None => self.ncci.clone(),
        };
        CodeTable::from_parts(rows, pairs, self.modifiers.clone())
    }

    fn from_parts(rows: Vec<CodeRow>, ncci: Vec<NcciPair>, modifiers: Vec<Modifier>) -> CodeTable {
        let mut by_long_code: HashMap<String, usize, Quick> = HashMap::default();
        let mut packed = Vec::with_capacity(rows.len());
        for (i, r) in rows.iter().enumerate() {
            match pack(&r.code) {
                Some(key) => packed.push((key, i)),
                None => {
                    by_long_code.insert(r.code.clone(), i);
                }
            };
        }
        let by_key = KeyIndex::new(&packed);
        let mut active_pairs: HashMap<(CodeKey, CodeKey), usize, KeyHash> = HashMap::default();
        let mut active_long = Vec::new();
        for (i, p) in ncci.iter().enumerate() {
            if !p.is_active() {
                continue;
            }
            match (pack(&p.column1), pack(&p.column2)) {
                (Some(a), Some(b)) => {
                    active_pairs.entry((a, b)).or_insert(i);
                }
                _ => active_long.push(i),
            }
        }
        let mut primaries_by_group: Vec<(Family, String, Vec<usize>)> = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let (false, Some(group)) = (r.addon, &r.group) else {
                continue;
            };
            match primaries_by_group
                .iter_mut()
                .find(|(f, g, _)| *f == r.family && g == group)
            {
                Some((_, _, members)) => members.push(i),
                None => primaries_by_group.push((r.family, group.clone(), vec![i])),
            }
        }
        let addons = (0..rows.len()).filter(|&i| rows[i].addon).collect();
        // Last in, first found: the pairs go in backwards so that the first
        // modifier of a name wins.
        let named: Vec<(CodeKey, usize)> = modifiers
            .iter()
            .enumerate()
            .rev()
            .filter_map(|(i, m)| Some((pack_upper(m.modifier.as_bytes())?, i)))
            .collect();
        let modifiers_by_key = KeyIndex::new(&named);
        CodeTable {
            rows,
            by_key,
            by_long_code,
            ncci,
            active_pairs,
            active_long,
            primaries_by_group,
            addons,
            modifiers,
            modifiers_by_key,
        }
    }

    fn index_of(&self, code: &str) -> Option<usize> {
        match lookup_key(code) {
            Ok(key) => self.by_key.get(key),
            Err(code) => self.by_long_code.get(code.as_ref()).copied(),
        }
    }

    fn primaries<'s>(&'s self, family: Family, group: &str) -> impl Iterator<Item = &'s CodeRow> {
        let members = self
            .primaries_by_group
            .iter()
            .find(|(f, g, _)| *f == family && g == group)
            .map_or(&[][..], |(_, _, members)| members.as_slice());
        members.iter().map(|&i| &self.rows[i])
    }
}

/// A code as [`CodeTable::ncci_of`] reads it: its packed key (as
/// [`CodeTable::ncci`] computes it), or the code itself when it does not
/// pack, for the slower lookup by text.
#[derive(Clone, Copy, Debug)]
pub struct NcciCode<'a> {
    key: Option<CodeKey>,
    code: &'a str,
}

impl<'a> NcciCode<'a> {
    /// Reads `code` for NCCI lookups.
    pub fn new(code: &'a str) -> NcciCode<'a> {
        NcciCode {
            key: lookup_key(code).ok(),
            code,
        }
    }
}

/// The hasher of the maps by code: FNV, as codes are a few bytes, which
/// SipHash takes longer to set up for than to hash, and every claim and
/// check looks codes up. Nothing iterates the maps, so their order is
/// never seen.
type Quick = BuildHasherDefault<crate::vocab::Fnv>;

/// A code of up to eight bytes as one integer: its bytes, zero-padded. Codes
/// are five characters; comparing and hashing one integer is cheaper than a
/// string. Only text without zero bytes packs, so two codes that pack to the
/// same key are the same text.
type CodeKey = u64;

/// The key of `code` exactly as written, or `None` when it is longer than
/// eight bytes or holds a zero byte.
fn pack(code: &str) -> Option<CodeKey> {
    let b = code.as_bytes();
    if b.len() > 8 || b.contains(&0) {
        return None;
    }
    let mut key = [0u8; 8];
    key[..b.len()].copy_from_slice(b);
    Some(u64::from_le_bytes(key))
}

/// The key of `code` as the lookups read it ([`normalize_code`]: trimmed,
/// upper-case), or the normalized code when it does not pack. A code of one
/// to eight ASCII letters and digits, as notes write them, is packed
/// without building the normalized text.
fn lookup_key(code: &str) -> Result<CodeKey, std::borrow::Cow<'_, str>> {
    let b = code.as_bytes();
    if let Some(key) = pack_upper(b) {
        return Ok(key);
    }
    let normalized = normalize_code(code);
    pack(&normalized).ok_or(normalized)
}

/// The bytes of `pack`, little-endian and upper-cased, of one to eight
/// ASCII letters and digits; `None` for any other text. All eight bytes
/// are checked and upper-cased at once, as one integer: every claim line
/// and rule looks its code up, and a byte at a time cost most of a lookup.
fn pack_upper(b: &[u8]) -> Option<CodeKey> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let n = b.len();
    if !(1..=8).contains(&n) {
        return None;
    }
    // The bytes at their places, the rest zero, by two loads that may
    // overlap (an overlapping byte is the same byte in both).
    let x = if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        u64::from(lo) | (u64::from(hi) << (8 * (n - 4)))
    } else {
        u64::from(b[0])
            | (u64::from(b[n / 2]) << (8 * (n / 2)))
            | (u64::from(b[n - 1]) << (8 * (n - 1)))
    };
    let used = HIGH >> (8 * (8 - n));
    if x & used != 0 {
        return None;
    }
    // With every high bit clear, `byte + 0x80 - c` has its high bit set
    // just when `byte >= c`, and no byte carries into the next.
    let at_least = |c: u8| (x + u64::from(0x80 - c) * ONES) & HIGH;
    let digit = at_least(b'0') & !at_least(b'9' + 1);
    let upper = at_least(b'A') & !at_least(b'Z' + 1);
    let lower = at_least(b'a') & !at_least(b'z' + 1);
    if (digit | upper | lower) & used != used {
        return None;
    }
    // Each lower-case letter less 0x20: its high bit moved down two places.
    Some(x - (lower >> 2))
}

/// Row indices by [`CodeKey`]: an open-addressed table of a power-of-two
/// size at most half full, probed from the key's multiplicative hash to the
/// first empty slot. Every claim line and rule looks a code up, several
/// times over; a probe here is a multiplication and a compare or two, where
/// a general hash map's costs several times that.
#[derive(Clone, Debug)]
struct KeyIndex {
    /// The key of each slot, zero for an empty one.
    keys: Vec<CodeKey>,
    /// The row of each slot's key.
    rows: Vec<usize>,
    /// Bits of the hash kept: `keys.len()` is `1 << bits`.
    bits: u32,
    /// The row of the zero key (the empty code), which marks empty slots.
    zero: Option<usize>,
}

impl KeyIndex {
    /// The index of `(key, row)` pairs; a later pair of the same key wins.
    fn new(pairs: &[(CodeKey, usize)]) -> KeyIndex {
        let bits = (pairs.len() * 2)
            .next_power_of_two()
            .max(8)
            .trailing_zeros();
        let mut index = KeyIndex {
            keys: vec![0; 1 << bits],
            rows: vec![0; 1 << bits],
            bits,
            zero: None,
        };
        for &(key, row) in pairs {
            if key == 0 {
                index.zero = Some(row);
                continue;
            }
            let mut at = index.slot(key);
            while index.keys[at] != 0 && index.keys[at] != key {
                at = (at + 1) & (index.keys.len() - 1);
            }
            index.keys[at] = key;
            index.rows[at] = row;
        }
        index
    }

    /// The first slot to probe for `key`: the top bits of its product with
    /// an odd constant (Fibonacci hashing), where the bytes that differ
    /// between codes all have a say.
    fn slot(&self, key: CodeKey) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The row of `key`.
    fn get(&self, key: CodeKey) -> Option<usize> {
        if key == 0 {
            return self.zero;
        }
        let mask = self.keys.len() - 1;
        let mut at = self.slot(key);
        loop {
            match self.keys[at] {
                k if k == key => return Some(self.rows[at]),
                0 => return None,
                _ => at = (at + 1) & mask,
            }
        }
    }
}

/// The hasher of the maps by [`CodeKey`]: one multiplication folded to 64
/// bits, which spreads the few bytes that differ between codes (their
/// last digits) over the whole hash.
type KeyHash = BuildHasherDefault<KeyHasher>;

#[derive(Default)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Only keys (integers) are hashed; this serves any other input.
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        let m = u128::from(self.0.rotate_left(5) ^ n) * 0x9E37_79B9_7F4A_7C15;
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// `code` trimmed and upper-cased, borrowed when it already is.
fn normalize_code(code: &str) -> std::borrow::Cow<'_, str> {
    // Codes are ASCII: the Unicode trim is needed only when the code
    // begins or ends with something else.
    let ascii_ends = |c: &str| {
        c.as_bytes()
            .first()
            .zip(c.as_bytes().last())
            .is_some_and(|(a, z)| a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric())
    };
    let trimmed = if ascii_ends(code) { code } else { code.trim() };
    if trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
        std::borrow::Cow::Owned(trimmed.to_ascii_uppercase())
    } else {
        std::borrow::Cow::Borrowed(trimmed)
    }
}

/// Checks the header row of a built-in table and returns the data records.
fn data_records(file: &str, text: &str, header: &[&str]) -> Result<Vec<Record>, LoadError> {
    let mut records = builtin_records(file, text).into_iter();
    let first = records
        .next()
        .ok_or_else(|| LoadError::new(file, 1, "empty file"))?;
    if first.fields != header {
        return Err(LoadError::new(
            file,
            first.line,
            format!("header must be `{}`", header.join(",")),
        ));
    }
    let mut rows = Vec::with_capacity(records.len());
    for rec in records {
        if rec.is_blank() {
            continue;
        }
        if rec.fields.len() != header.len() {
            return Err(LoadError::new(
                file,
                rec.line,
                format!(
                    "expected {} fields, found {}",
                    header.len(),
                    rec.fields.len()
                ),
            ));
        }
        rows.push(rec);
    }
    Ok(rows)
}

fn number<T: std::str::FromStr>(
    file: &str,
    rec: &Record,
    index: usize,
    name: &str,
) -> Result<T, LoadError> {
    let value = required(file, rec, index, name)?;
    value.parse().map_err(|_| {
        LoadError::new(
            file,
            rec.line,
            format!("{name} is not a valid number: \"{value}\""),
        )
    })
}

fn optional_number<T: std::str::FromStr>(
    file: &str,
    rec: &Record,
    index: usize,
    name: &str,
) -> Result<Option<T>, LoadError> {
    if rec.get(index).trim().is_empty() {
        return Ok(None);
    }
    number(file, rec, index, name).map(Some)
}

fn optional_text(rec: &Record, index: usize) -> Option<String> {
    let value = rec.get(index).trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// Parses `cpt.csv` (header [`CPT_HEADER`]).
pub(crate) fn parse_cpt_csv(file: &str, text: &str) -> Result<Vec<CodeRow>, LoadError> {
    data_records(file, text, CPT_HEADER)?
        .iter()
        .map(|rec| {
            let family_name = required(file, rec, 1, "family")?;
            let family = Family::parse(family_name).ok_or_else(|| {
                LoadError::new(file, rec.line, format!("unknown family \"{family_name}\""))
            })?;
            let addon = match required(file, rec, 2, "kind")? {
                "primary" => false,
                "addon" => true,
                other => {
                    return Err(LoadError::new(
                        file,
                        rec.line,
                        format!("kind must be primary or addon, found \"{other}\""),
                    ));
                }
            };
            let addon_of = rec
                .get(14)
                .split('|')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            Ok(CodeRow {
                code: required(file, rec, 0, "code")?.to_string(),
                family,
                addon,
                group: optional_text(rec, 3),
                tier_min: optional_number(file, rec, 4, "tier_min")?,
                tier_max: optional_number(file, rec, 5, "tier_max")?,
                description: required(file, rec, 6, "description")?.to_string(),
                work_rvu: number(file, rec, 7, "work_rvu")?,
                work_year: number(file, rec, 8, "work_year")?,
                nonfac_total_rvu: number(file, rec, 9, "nonfac_total_rvu")?,
                fac_total_rvu: number(file, rec, 10, "fac_total_rvu")?,
                total_year: number(file, rec, 11, "total_year")?,
                global: Global::parse(required(file, rec, 12, "global_days")?),
                mue: optional_number(file, rec, 13, "mue")?,
                addon_of,
                source: required(file, rec, 15, "source")?.to_string(),
            })
        })
        .collect()
}

/// Parses `ncci.csv` (header [`NCCI_HEADER`]).
pub(crate) fn parse_ncci_csv(file: &str, text: &str) -> Result<Vec<NcciPair>, LoadError> {
    data_records(file, text, NCCI_HEADER)?
        .iter()
        .map(|rec| {
            let modifier_indicator = number(file, rec, 2, "modifier_indicator")?;
            if !matches!(modifier_indicator, 0 | 1 | 9) {
                return Err(LoadError::new(
                    file,
                    rec.line,
                    format!("modifier_indicator must be 0, 1 or 9, found {modifier_indicator}"),
                ));
            }
            Ok(NcciPair {
                column1: required(file, rec, 0, "column1")?.to_string(),
                column2: required(file, rec, 1, "column2")?.to_string(),
                modifier_indicator,
                deletion_date: optional_text(rec, 3),
                source: required(file, rec, 4, "source")?.to_string(),
            })
        })
        .collect()
}

/// Parses `modifiers.csv` (header [`MODIFIERS_HEADER`]).
pub(crate) fn parse_modifiers_csv(file: &str, text: &str) -> Result<Vec<Modifier>, LoadError> {
    data_records(file, text, MODIFIERS_HEADER)?
        .iter()
        .map(|rec| {
            Ok(Modifier {
                modifier: required(file, rec, 0, "modifier")?.to_string(),
                meaning: required(file, rec, 1, "meaning")?.to_string(),
                applies_when: required(file, rec, 2, "applies_when")?.to_string(),
                source: required(file, rec, 3, "source")?.to_string(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::cms::CmsRvuRow;

    fn table() -> &'static CodeTable {
        CodeTable::builtin()
    }

    fn code_of(row: Option<&CodeRow>) -> Option<&str> {
        row.map(|r| r.code.as_str())
    }

    /// A code read once finds the row that reading it each time finds,
    /// for codes that pack and codes that do not.
    #[test]
    fn rows_of_codes_read_once_are_those_of_codes() {
        let t = CodeTable::builtin();
        let codes = [
            "11102",
            " 11102 ",
            "j1234",
            "99213",
            "",
            "1110",
            "é",
            "123456789",
            "11102\0",
        ];
        for code in t.rows().map(|r| r.code.as_str()).chain(codes) {
            assert_eq!(t.get_of(NcciCode::new(code)), t.get(code), "{code:?}");
        }
    }

    #[test]
    fn family_names_round_trip() {
        for f in Family::ALL {
            assert_eq!(Family::parse(f.as_str()), Some(f));
        }
        assert_eq!(Family::parse("shave-removal"), Some(Family::ShaveRemoval));
        assert_eq!(Family::parse("Shave-Removal"), None);
        assert_eq!(Family::Em.to_string(), "em");
    }

    #[test]
    fn global_periods() {
        assert_eq!(Global::parse("010"), Global::Days10);
        assert_eq!(Global::parse("010").days(), Some(10));
        assert_eq!(Global::parse("000").days(), Some(0));
        assert_eq!(Global::parse("090").days(), Some(90));
        assert_eq!(Global::parse("ZZZ").days(), None);
        assert_eq!(Global::parse("XXX").as_str(), "XXX");
        assert_eq!(Global::parse("YYY"), Global::Other("YYY".to_string()));
        assert_eq!(Global::parse("YYY").as_str(), "YYY");
    }

    #[test]
    fn get_is_tolerant_of_case_and_spaces() {
        assert_eq!(code_of(table().get("g2211")), Some("G2211"));
        assert_eq!(code_of(table().get(" 11102 ")), Some("11102"));
        assert_eq!(table().get("11101"), None);
    }

    #[test]
    fn rows_carry_the_expected_values() {
        let r = table().get("17004").unwrap();
        assert_eq!(r.family, Family::DestructionPremalignant);
        assert!(!r.addon);
        assert_eq!(r.global, Global::Days10);
        assert_eq!(r.work_rvu, 1.34);
        assert_eq!(r.work_year, 2026);
        assert_eq!(r.nonfac_total_rvu, 4.86);
        assert_eq!(r.total_year, 2026);
        assert_eq!(r.mue, Some(1));

        let r = table().get("17315").unwrap();
        assert!(r.addon);
        assert_eq!(r.group, None);
        assert_eq!(r.addon_of, vec!["17311", "17313"]);

        let r = table().get("11600").unwrap();
        assert_eq!((r.work_rvu, r.work_year, r.total_year), (1.63, 2025, 2025));
        assert_eq!((r.tier_min, r.tier_max), (Some(0), Some(5000)));
    }

    #[test]
    fn by_tier_picks_the_size_tier() {
        let t = table();
        let face = "face-ears-eyelids-nose-lips-mucosa";
        // 0.5 cm lesion + 2 x 0.4 cm margins = 1.3 cm excised diameter.
        assert_eq!(
            code_of(t.by_tier(Family::ExcisionMalignant, "trunk-arms-legs", 13_000)),
            Some("11602")
        );
        assert_eq!(
            code_of(t.by_tier(Family::ExcisionBenign, face, 5_000)),
            Some("11440")
        );
        assert_eq!(
            code_of(t.by_tier(Family::ExcisionBenign, face, 5_001)),
            Some("11441")
        );
        assert_eq!(
            code_of(t.by_tier(Family::ExcisionBenign, face, 41_000)),
            Some("11446")
        );
        assert_eq!(
            code_of(t.by_tier(Family::ShaveRemoval, face, 9_000)),
            Some("11311")
        );
        assert_eq!(
            code_of(t.by_tier(Family::RepairSimple, face, 30_000)),
            Some("12013")
        );
        assert_eq!(
            code_of(t.by_tier(Family::RepairSimple, "body", 30_000)),
            Some("12002")
        );
        assert_eq!(
            code_of(t.by_tier(
                Family::RepairIntermediate,
                "scalp-axillae-trunk-extremities",
                36_000
            )),
            Some("12032")
        );
        assert_eq!(
            code_of(t.by_tier(Family::RepairComplex, "trunk", 80_000)),
            None
        );
        assert_eq!(
            code_of(t.by_tier(Family::RepairComplex, "trunk", 75_000)),
            Some("13101")
        );
        // 1.0 cm or less is not a complex repair.
        assert_eq!(
            code_of(t.by_tier(Family::RepairComplex, "trunk", 10_000)),
            None
        );
        assert_eq!(
            code_of(t.by_tier(Family::Phototherapy, "excimer", 250)),
            Some("96921")
        );
        assert_eq!(
            code_of(t.by_tier(Family::Phototherapy, "excimer", 501)),
            Some("96922")
        );
        // Untiered rows never match.
        assert_eq!(code_of(t.by_tier(Family::Mohs, "trunk-arms-legs", 1)), None);
        assert_eq!(code_of(t.by_tier(Family::ShaveRemoval, "nowhere", 1)), None);
    }

    #[test]
    fn primary_of_untiered_groups() {
        let t = table();
        assert_eq!(code_of(t.primary(Family::Biopsy, "punch")), Some("11104"));
        assert_eq!(
            code_of(t.primary(Family::Biopsy, "incisional")),
            Some("11106")
        );
        assert_eq!(
            code_of(t.primary(Family::Mohs, "head-neck-hands-feet-genitalia")),
            Some("17311")
        );
        assert_eq!(
            code_of(t.primary(Family::Mohs, "trunk-arms-legs")),
            Some("17313")
        );
        assert_eq!(
            code_of(t.primary(Family::Phototherapy, "uvb")),
            Some("96900")
        );
        assert_eq!(
            code_of(t.primary(Family::Phototherapy, "puva")),
            Some("96912")
        );
        assert_eq!(code_of(t.primary(Family::Em, "established")), Some("99211"));
        assert_eq!(t.primary(Family::Biopsy, "shave"), None);
    }

    #[test]
    fn addon_for_prefers_the_primary_group() {
        let t = table();
        assert_eq!(code_of(t.addon_for("11102", Family::Biopsy)), Some("11103"));
        assert_eq!(code_of(t.addon_for("11104", Family::Biopsy)), Some("11105"));
        assert_eq!(code_of(t.addon_for("11106", Family::Biopsy)), Some("11107"));
        assert_eq!(code_of(t.addon_for("17311", Family::Mohs)), Some("17312"));
        assert_eq!(code_of(t.addon_for("17313", Family::Mohs)), Some("17314"));
        assert_eq!(
            code_of(t.addon_for("17000", Family::DestructionPremalignant)),
            Some("17003")
        );
        assert_eq!(
            code_of(t.addon_for("13101", Family::RepairComplex)),
            Some("13102")
        );
        assert_eq!(
            code_of(t.addon_for("13152", Family::RepairComplex)),
            Some("13153")
        );
        assert_eq!(t.addon_for("17004", Family::DestructionPremalignant), None);
        assert_eq!(t.addon_for("11104", Family::Mohs), None);
        assert_eq!(t.addon_for("99999", Family::Biopsy), None);
    }

    #[test]
    fn ncci_lookups_are_directional_and_ignore_deleted_pairs() {
        let t = table();
        assert_eq!(
            t.ncci("17004", "17000").map(|p| p.modifier_indicator),
            Some(0)
        );
        assert_eq!(t.ncci("17000", "17004"), None);
        assert_eq!(
            t.ncci("11602", "11104").map(|p| p.modifier_indicator),
            Some(1)
        );
        // Deleted 2019-12-31 in the CMS extract; the reverse pair is active.
        assert_eq!(t.ncci("12001", "12011"), None);
        assert!(
            t.ncci_pairs()
                .iter()
                .any(|p| p.column1 == "12001" && p.column2 == "12011")
        );
        assert_eq!(
            t.ncci("12011", "12001").map(|p| p.modifier_indicator),
            Some(1)
        );
    }

    /// A table with codes the packed keys cannot hold (long ones, a zero
    /// byte), a lower-case one, a duplicate row and duplicate pairs, next
    /// to the built-in ones.
    fn odd_table() -> CodeTable {
        let t = table();
        let mut rows: Vec<CodeRow> = t.rows.clone();
        for code in [
            "ABCDEFGHIJ",
            "x1",
            "A\0B",
            "11102",
            "12345678",
            "123456789",
            "",
        ] {
            let mut row = t.rows[3].clone();
            row.code = code.to_string();
            rows.push(row);
        }
        let mut ncci = t.ncci.clone();
        let mut extra = |a: &str, b: &str, indicator: u8, deleted: bool| {
            let mut p = ncci[0].clone();
            p.column1 = a.to_string();
            p.column2 = b.to_string();
            p.modifier_indicator = indicator;
            p.deletion_date = deleted.then(|| "20191231".to_string());
            ncci.push(p);
        };
        extra("ABCDEFGHIJ", "11102", 0, false);
        extra("11102", "ABCDEFGHIJ", 1, false);
        extra("ABCDEFGHIJ", "123456789", 9, false);
        extra("17004", "17000", 9, false);
        extra("11102", "12345678", 1, true);
        extra("11102", "12345678", 0, false);
        extra("11102", "12345678", 1, false);
        CodeTable::from_parts(rows, ncci, t.modifiers.clone())
    }

    /// What the lookups found before codes were packed: the last row whose
    /// code is the normalized code, the first active pair in source order.
    fn reference_index(t: &CodeTable, code: &str) -> Option<usize> {
        let code = normalize_code(code);
        t.rows.iter().rposition(|r| r.code == code.as_ref())
    }

    fn reference_ncci<'t>(t: &'t CodeTable, a: &str, b: &str) -> Option<&'t NcciPair> {
        let (a, b) = (normalize_code(a), normalize_code(b));
        t.ncci
            .iter()
            .find(|p| p.is_active() && p.column1 == a.as_ref() && p.column2 == b.as_ref())
    }

    /// Spellings of `code` a note may hold.
    fn spellings(code: &str) -> Vec<String> {
        vec![
            code.to_string(),
            code.to_ascii_lowercase(),
            format!(" {code}\t"),
            format!("\u{a0}{code}"),
            format!("{code}x"),
            code.chars().skip(1).collect(),
        ]
    }

    /// The primaries of a family and group, found by the index, are the
    /// rows a pass over every row finds, in the same order.
    #[test]
    fn primaries_by_group_are_those_of_a_pass_over_the_rows() {
        let t = odd_table();
        let mut groups: Vec<Option<String>> = t.rows.iter().map(|r| r.group.clone()).collect();
        groups.extend([Some(String::new()), Some("nowhere".to_string())]);
        for family in Family::ALL {
            for group in groups.iter().flatten() {
                let got: Vec<*const CodeRow> =
                    t.primaries(family, group).map(|r| r as *const _).collect();
                let want: Vec<*const CodeRow> = t
                    .rows
                    .iter()
                    .filter(|r| !r.addon && r.family == family && r.group.as_deref() == Some(group))
                    .map(|r| r as *const _)
                    .collect();
                assert_eq!(got, want, "{family} {group}");
            }
        }
    }

    /// The add-on found among the add-on rows is the one a pass over every
    /// row finds.
    #[test]
    fn addons_are_those_of_a_pass_over_the_rows() {
        let t = odd_table();
        let reference = |code: &str, family: Family| {
            let primary = t.get(code)?;
            let mut candidates = t
                .rows
                .iter()
                .filter(|r| r.addon && r.family == family && r.addon_of.contains(&primary.code));
            let first = candidates.next()?;
            if first.group == primary.group {
                return Some(first);
            }
            candidates
                .find(|r| r.group == primary.group)
                .or(Some(first))
        };
        for row in &t.rows {
            for family in Family::ALL {
                let got = t.addon_for(&row.code, family).map(|r| r as *const CodeRow);
                let want = reference(&row.code, family).map(|r| r as *const CodeRow);
                assert_eq!(got, want, "{} {family}", row.code);
            }
        }
    }

    #[test]
    fn packed_lookups_find_what_string_lookups_find() {
        let t = odd_table();
        let mut codes: Vec<String> = t.rows.iter().map(|r| r.code.clone()).collect();
        codes.extend(["", " ", "1", "é", "1234567890", "ABCDEFGHI"].map(String::from));
        let codes: Vec<String> = codes.iter().flat_map(|c| spellings(c)).collect();
        for c in &codes {
            assert_eq!(t.index_of(c), reference_index(&t, c), "{c:?}");
        }
        let pair_codes: Vec<String> = t
            .ncci
            .iter()
            .flat_map(|p| [p.column1.clone(), p.column2.clone()])
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .flat_map(|c| spellings(&c))
            .collect();
        for a in &pair_codes {
            for b in &pair_codes {
                let got = t.ncci(a, b).map(|p| p as *const NcciPair);
                let want = reference_ncci(&t, a, b).map(|p| p as *const NcciPair);
                assert_eq!(got, want, "{a:?} {b:?}");
                let read = t
                    .ncci_of(NcciCode::new(a), NcciCode::new(b))
                    .map(|p| p as *const NcciPair);
                assert_eq!(read, want, "{a:?} {b:?} read once");
            }
        }
    }

    /// `pack_upper` a byte at a time, as it was.
    fn pack_upper_plain(b: &[u8]) -> Option<CodeKey> {
        if !(1..=8).contains(&b.len()) || !b.iter().all(u8::is_ascii_alphanumeric) {
            return None;
        }
        Some(b.iter().enumerate().fold(0, |key, (i, c)| {
            key | u64::from(c.to_ascii_uppercase()) << (8 * i)
        }))
    }

    #[test]
    fn packs_every_byte_at_every_place() {
        for n in 1..=8 {
            for at in 0..n {
                for c in 0..=255u8 {
                    let mut b = vec![b'a'; n];
                    b[at] = c;
                    assert_eq!(pack_upper(&b), pack_upper_plain(&b), "{b:?}");
                }
            }
        }
        assert_eq!(pack_upper(b""), None);
        assert_eq!(pack_upper(b"123456789"), None);
    }

    proptest::proptest! {
        /// The key index finds what a map filled in the same order finds
        /// (the last row of a key), for keys that collide, repeat and
        /// include zero.
        #[test]
        fn key_index_finds_what_a_map_finds(
            pairs in proptest::collection::vec((0u64..48, 0usize..1000), 0..40),
            spread in 0u32..64,
        ) {
            let pairs: Vec<(CodeKey, usize)> = pairs
                .into_iter()
                .map(|(k, r)| (k.rotate_left(spread), r))
                .collect();
            let index = KeyIndex::new(&pairs);
            let map: std::collections::HashMap<CodeKey, usize> = pairs.iter().copied().collect();
            for k in 0u64..64 {
                let k = k.rotate_left(spread);
                proptest::prop_assert_eq!(index.get(k), map.get(&k).copied());
            }
        }

        #[test]
        fn packs_as_a_byte_at_a_time(b in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::sample::select(b"09AZaz/@[`{:\x00 -".to_vec()),
                proptest::prelude::any::<u8>(),
            ],
            0..10,
        )) {
            proptest::prop_assert_eq!(pack_upper(&b), pack_upper_plain(&b));
        }

        #[test]
        fn packed_lookups_agree_on_any_text(a in "[ 0-9A-Za-z\u{a0}\0é]{0,10}", b in "[ 0-9A-Za-z\0]{0,10}") {
            let t = odd_table();
            proptest::prop_assert_eq!(t.index_of(&a), reference_index(&t, &a));
            let got = t.ncci(&a, &b).map(|p| p as *const NcciPair);
            let want = reference_ncci(&t, &a, &b).map(|p| p as *const NcciPair);
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn modifiers_are_case_insensitive() {
        assert_eq!(
            table().modifier("xs").map(|m| m.modifier.as_str()),
            Some("XS")
        );
        assert_eq!(
            table().modifier("25").map(|m| m.modifier.as_str()),
            Some("25")
        );
        assert_eq!(table().modifier("ZZ"), None);
    }

    /// Modifiers found by their packed names are those a pass over the
    /// modifiers in file order finds, ignoring ASCII case: with names
    /// repeated in another case, names that do not pack, and spellings
    /// around each.
    #[test]
    fn packed_modifier_lookups_find_what_a_pass_finds() {
        let t = table();
        let mut modifiers = t.modifiers.clone();
        for name in [
            "xs",
            "Xs",
            "A-1",
            "ABCDEFGHIJ",
            "é",
            "59",
            "q7",
            "Q7",
            "12345678",
        ] {
            let mut m = modifiers[0].clone();
            m.modifier = name.to_string();
            m.meaning = format!("extra {name}");
            modifiers.push(m);
        }
        let t = CodeTable::from_parts(t.rows.clone(), t.ncci.clone(), modifiers);
        let reference = |m: &str| {
            let m = m.trim();
            t.modifiers
                .iter()
                .position(|x| x.modifier.eq_ignore_ascii_case(m))
        };
        let names: Vec<String> = t.modifiers.iter().map(|m| m.modifier.clone()).collect();
        let probes = names
            .iter()
            .map(String::as_str)
            .chain(["", " ", "zz", "É", "a-1", "abcdefghij", "123456789"])
            .flat_map(spellings);
        for probe in probes {
            let got = t
                .modifier(&probe)
                .and_then(|m| t.modifiers.iter().position(|x| std::ptr::eq(x, m)));
            assert_eq!(got, reference(&probe), "{probe:?}");
        }
    }

    #[test]
    fn with_cms_overlays_rvus_pairs_and_mues() {
        let rvu = CmsRvu {
            year: Some(2027),
            rows: vec![CmsRvuRow {
                code: "17000".to_string(),
                work_rvu: 0.5,
                nonfac_total_rvu: 1.5,
                fac_total_rvu: 1.0,
                global: Global::Days0,
            }],
        };
        let pair = |column1: &str, column2: &str| NcciPair {
            column1: column1.to_string(),
            column2: column2.to_string(),
            modifier_indicator: 1,
            deletion_date: None,
            source: "test".to_string(),
        };
        let pairs = vec![pair("11102", "11104"), pair("99213", "36415")];
        let mue = vec![("17003".to_string(), 20), ("ZZZZZ".to_string(), 3)];
        let t = table().with_cms(Some(&rvu), Some(&pairs), Some(&mue));
        let r = t.get("17000").unwrap();
        assert_eq!(
            (r.work_rvu, r.nonfac_total_rvu, r.fac_total_rvu),
            (0.5, 1.5, 1.0)
        );
        assert_eq!((r.work_year, r.total_year), (2027, 2027));
        assert_eq!(r.global, Global::Days0);
        assert_eq!(r.source, "CMS PPRRVU file loaded by the user (CY2027)");
        assert_eq!(t.get("17004"), table().get("17004"));
        // 36415 is not in the table, so its pair is dropped.
        assert_eq!(t.ncci_pairs(), &pairs[..1]);
        assert_eq!(t.ncci("17004", "17000"), None);
        assert!(t.ncci("11102", "11104").is_some());
        assert_eq!(t.mue("17003"), Some(20));
        assert_eq!(t.mue("17000"), Some(1));
        assert_eq!(t.get("ZZZZZ"), None);
        // The built-in table is unchanged.
        assert_eq!(table().mue("17003"), Some(13));

        let untouched = table().with_cms(None, None, None);
        assert_eq!(untouched.ncci_pairs(), table().ncci_pairs());
        assert_eq!(untouched.rows().count(), table().rows().count());
    }

    #[test]
    fn with_cms_keeps_years_when_the_file_states_none() {
        let rvu = CmsRvu {
            year: None,
            rows: vec![CmsRvuRow {
                code: "11102".to_string(),
                work_rvu: 0.7,
                nonfac_total_rvu: 3.0,
                fac_total_rvu: 1.2,
                global: Global::Days0,
            }],
        };
        let t = table().with_cms(Some(&rvu), None, None);
        let r = t.get("11102").unwrap();
        assert_eq!((r.work_year, r.total_year, r.work_rvu), (2026, 2026, 0.7));
        assert_eq!(
            r.source,
            "CMS PPRRVU file loaded by the user (year not stated)"
        );
    }

    #[test]
    fn malformed_builtin_rows_name_file_and_line() {
        let header = CPT_HEADER.join(",");
        let bad_family = format!("{header}\n11102,biopsies,primary,,,,x,1,2025,1,1,2025,000,,,s\n");
        assert_eq!(
            parse_cpt_csv("cpt.csv", &bad_family)
                .unwrap_err()
                .to_string(),
            "cpt.csv:2: unknown family \"biopsies\""
        );
        let bad_number =
            format!("{header}\n\n11102,biopsy,primary,,,,x,one,2025,1,1,2025,000,,,s\n");
        assert_eq!(
            parse_cpt_csv("cpt.csv", &bad_number)
                .unwrap_err()
                .to_string(),
            "cpt.csv:3: work_rvu is not a valid number: \"one\""
        );
        let short = format!("{header}\n11102,biopsy\n");
        assert_eq!(
            parse_cpt_csv("cpt.csv", &short).unwrap_err().to_string(),
            "cpt.csv:2: expected 16 fields, found 2"
        );
        let no_source = format!("{header}\n11102,biopsy,primary,,,,x,1,2025,1,1,2025,000,,,\n");
        assert_eq!(
            parse_cpt_csv("cpt.csv", &no_source)
                .unwrap_err()
                .to_string(),
            "cpt.csv:2: source is empty"
        );
        assert_eq!(
            parse_ncci_csv("ncci.csv", "column1,column2\n")
                .unwrap_err()
                .to_string(),
            "ncci.csv:1: header must be `column1,column2,modifier_indicator,deletion_date,source`"
        );
        assert_eq!(
            parse_ncci_csv(
                "ncci.csv",
                "column1,column2,modifier_indicator,deletion_date,source\n1,2,5,,s\n"
            )
            .unwrap_err()
            .to_string(),
            "ncci.csv:2: modifier_indicator must be 0, 1 or 9, found 5"
        );
        assert_eq!(
            parse_modifiers_csv("modifiers.csv", "")
                .unwrap_err()
                .to_string(),
            "modifiers.csv:1: empty file"
        );
    }
}
