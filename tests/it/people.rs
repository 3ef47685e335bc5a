//! The person index's matching core (R-PERSON-1, R-PERSON-2): specifications by rule, and
//! the quality of blocking, scoring and banding over a generated population whose true
//! identities are known.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use cims::domain::people::{
    Address, Band, Cap, Dob, Field, MatchWeights, PersonRecord, Reason, Sex, bound, compare,
    digest, identifiers, keys, undigest,
};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};

// ---------------------------------------------------------------------------------------
// The generated population.

/// Given names, each a group of spellings of one name that sound alike.
const FEMALE: &[&[&str]] = &[
    &["Katherine", "Catherine", "Kathryn"],
    &["Zoe", "Zoey"],
    &["Aaliyah", "Aliyah"],
    &["Layla", "Laila"],
    &["Olivia"],
    &["Charlotte"],
    &["Amelia"],
    &["Isla"],
    &["Mia"],
    &["Grace"],
    &["Chloe"],
    &["Ella"],
    &["Ruby"],
    &["Harper"],
    &["Matilda"],
    &["Evie"],
    &["Jasmine"],
    &["Hannah"],
    &["Emily"],
    &["Lily"],
    &["Sienna"],
    &["Elizabeth"],
    &["Madison"],
    &["Priya"],
    &["Fatima"],
];

const MALE: &[&[&str]] = &[
    &["Mohammed", "Muhammad", "Mohammad"],
    &["Jayden", "Jaden", "Jaiden"],
    &["Ahmed", "Ahmad"],
    &["Oliver"],
    &["Noah"],
    &["Jack"],
    &["William"],
    &["Leo"],
    &["Lucas"],
    &["Thomas"],
    &["Henry"],
    &["Charlie"],
    &["James"],
    &["Ethan"],
    &["Lachlan"],
    &["Cooper"],
    &["Hudson"],
    &["Liam"],
    &["Mason"],
    &["Isaac"],
    &["Nathan"],
    &["Riley"],
    &["Xavier"],
    &["Alexander"],
    &["Daniel"],
];

const NICKNAMES: &[(&str, &str)] = &[
    ("Katherine", "Katie"),
    ("Catherine", "Cathy"),
    ("Elizabeth", "Lizzie"),
    ("Matilda", "Tilly"),
    ("Charlotte", "Lottie"),
    ("William", "Will"),
    ("Thomas", "Tom"),
    ("Alexander", "Alex"),
    ("Oliver", "Ollie"),
    ("Lachlan", "Lachie"),
    ("Daniel", "Danny"),
    ("Mohammed", "Mo"),
];

const FAMILY: &[&str] = &[
    "Smith",
    "Nguyen",
    "Jones",
    "Williams",
    "Brown",
    "Wilson",
    "Taylor",
    "Johnson",
    "White",
    "Martin",
    "Anderson",
    "Thompson",
    "Tran",
    "Le",
    "Walker",
    "Harris",
    "Lee",
    "Ryan",
    "Robinson",
    "Kelly",
    "King",
    "Davis",
    "Wright",
    "Evans",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Singh",
    "Khan",
    "Ali",
    "Papadopoulos",
    "Rossi",
    "O'Brien",
    "McDonald",
    "Murphy",
    "Campbell",
    "Stewart",
    "Hughes",
    "Mitchell",
    "Scott",
    "Baker",
    "Turner",
    "Hill",
    "Morgan",
    "Young",
    "Chen",
    "Wang",
    "Zhang",
    "Kaur",
    "Ahmed",
];

const STREETS: &[&str] = &[
    "Smith",
    "High",
    "Station",
    "Church",
    "Victoria",
    "Albert",
    "Queen",
    "King",
    "Park",
    "Railway",
    "Hope",
    "Ballarat",
    "Gordon",
    "Nicholson",
    "Barkly",
    "Droop",
    "Buckley",
    "Union",
    "Mary",
    "Hampstead",
    "Wattle",
    "Banksia",
    "Acacia",
    "Bent",
    "Ormond",
];

const STREET_TYPES: &[(&str, &str)] = &[
    ("St", "Street"),
    ("Rd", "Road"),
    ("Ave", "Avenue"),
    ("Cres", "Crescent"),
    ("Ct", "Court"),
    ("Dr", "Drive"),
    ("Pde", "Parade"),
];

const SUBURBS: &[&str] = &[
    "Footscray",
    "Sunshine",
    "Dandenong",
    "Frankston",
    "Broadmeadows",
    "Werribee",
    "Geelong",
    "Ballarat",
    "Bendigo",
    "Shepparton",
    "Preston",
    "Reservoir",
    "Epping",
    "Melton",
    "Pakenham",
    "Cranbourne",
    "Morwell",
    "Mildura",
];

/// A home: unit (if any), number, street, street type, suburb.
#[derive(Clone, PartialEq)]
struct Home {
    unit: Option<u32>,
    number: u32,
    street: &'static str,
    kind: usize,
    suburb: &'static str,
}

impl Home {
    fn random(rng: &mut StdRng) -> Home {
        Home {
            unit: rng.random_bool(0.3).then(|| rng.random_range(1..20)),
            number: rng.random_range(1..200),
            street: pick(rng, STREETS),
            kind: rng.random_range(0..STREET_TYPES.len()),
            suburb: pick(rng, SUBURBS),
        }
    }

    /// One of the ways a person writes this address.
    fn written(&self, rng: &mut StdRng) -> String {
        let (short, long) = STREET_TYPES[self.kind];
        let kind = if rng.random_bool(0.5) { short } else { long };
        let street = format!("{} {} {kind}, {}", self.number, self.street, self.suburb);
        match self.unit {
            Some(unit) if rng.random_bool(0.5) => format!("Unit {unit}, {street}"),
            Some(unit) => format!("{unit}/{street}"),
            None => street,
        }
    }
}

/// A true person.
#[derive(Clone)]
struct Person {
    /// The group of spellings of the given name, and the spelling the person uses.
    given: (&'static [&'static str], usize),
    family: &'static str,
    dob: NaiveDate,
    sex: Sex,
    cris: Option<String>,
    phone: Option<String>,
    home: Home,
    is_child: bool,
}

impl Person {
    fn given(&self) -> &'static str {
        self.given.0[self.given.1]
    }
}

/// A report of a person, with the index of the true person it is about.
struct Report {
    person: usize,
    record: PersonRecord,
}

struct Population {
    people: Vec<Person>,
    /// Pairs of people who are twins (by index, lower first).
    twins: BTreeSet<(usize, usize)>,
    reports: Vec<Report>,
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[T]) -> T {
    *items
        .choose(rng)
        .unwrap_or_else(|| panic!("a non-empty list"))
}

fn date(rng: &mut StdRng, from_year: i32, to_year: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).expect("a date");
    let days = (NaiveDate::from_ymd_opt(to_year, 12, 31).expect("a date") - start).num_days();
    start + Duration::days(rng.random_range(0..=days))
}

fn mobile(rng: &mut StdRng) -> String {
    format!("04{:08}", rng.random_range(0..100_000_000u32))
}

/// Given names of one sex not yet used in a family.
fn given_name(
    rng: &mut StdRng,
    sex: Sex,
    used: &mut Vec<&'static str>,
) -> (&'static [&'static str], usize) {
    let groups = if sex == Sex::Female { FEMALE } else { MALE };
    loop {
        let group = pick(rng, groups);
        if !used.contains(&group[0]) {
            used.push(group[0]);
            return (group, rng.random_range(0..group.len()));
        }
    }
}

fn random_sex(rng: &mut StdRng) -> Sex {
    if rng.random_bool(0.5) {
        Sex::Female
    } else {
        Sex::Male
    }
}

/// Families of parents and one to four children, some of them twins; each child is
/// reported one to three times and each parent once or twice.
fn population(seed: u64, families: usize) -> Population {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut people: Vec<Person> = Vec::new();
    let mut twins = BTreeSet::new();
    let mut cris = 100_000u32;
    let mut next_cris = |rng: &mut StdRng| {
        cris += 1;
        rng.random_bool(0.5).then(|| format!("{cris}"))
    };
    for _ in 0..families {
        let family = pick(&mut rng, FAMILY);
        let home = Home::random(&mut rng);
        let phone = mobile(&mut rng);
        let mut used = Vec::new();
        let mother_dob = date(&mut rng, 1975, 1995);
        people.push(Person {
            given: given_name(&mut rng, Sex::Female, &mut used),
            family,
            dob: mother_dob,
            sex: Sex::Female,
            cris: next_cris(&mut rng),
            phone: Some(phone.clone()),
            home: home.clone(),
            is_child: false,
        });
        if rng.random_bool(0.7) {
            people.push(Person {
                given: given_name(&mut rng, Sex::Male, &mut used),
                family,
                dob: date(&mut rng, 1970, 1995),
                sex: Sex::Male,
                cris: next_cris(&mut rng),
                phone: rng.random_bool(0.5).then(|| mobile(&mut rng)),
                home: home.clone(),
                is_child: false,
            });
        }
        let children = rng.random_range(1..=4);
        let mut born = 0;
        while born < children {
            let dob = date(
                &mut rng,
                mother_dob.year() + 18,
                2023.min(mother_dob.year() + 45),
            );
            let twin = born + 1 < children && rng.random_bool(0.15);
            for _ in 0..if twin { 2 } else { 1 } {
                let sex = random_sex(&mut rng);
                people.push(Person {
                    given: given_name(&mut rng, sex, &mut used),
                    family,
                    dob,
                    sex,
                    cris: next_cris(&mut rng),
                    phone: Some(phone.clone()),
                    home: home.clone(),
                    is_child: true,
                });
            }
            if twin {
                twins.insert((people.len() - 2, people.len() - 1));
                born += 2;
            } else {
                born += 1;
            }
        }
    }
    let mut reports = Vec::new();
    for (index, person) in people.iter().enumerate() {
        let times = if person.is_child {
            rng.random_range(1..=3)
        } else {
            rng.random_range(1..=2)
        };
        for _ in 0..times {
            reports.push(Report {
                person: index,
                record: report(&mut rng, person),
            });
        }
    }
    Population {
        people,
        twins,
        reports,
    }
}

/// A letter swapped with the next, dropped or doubled.
fn typo(rng: &mut StdRng, name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.len() < 3 {
        return name.to_owned();
    }
    let at = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..3) {
        0 => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        _ => chars.insert(at, chars[at]),
    }
    chars.into_iter().collect()
}

/// One report of a person, with the variations of real reports.
fn report(rng: &mut StdRng, person: &Person) -> PersonRecord {
    let mut given = person.given().to_owned();
    let mut family = person.family.to_owned();
    let mut aliases = Vec::new();
    let mut former = Vec::new();
    if person.given.0.len() > 1 && rng.random_bool(0.15) {
        given = pick(rng, person.given.0).to_owned();
    }
    if let Some((_, nickname)) = NICKNAMES.iter().find(|(full, _)| *full == given)
        && rng.random_bool(0.3)
    {
        if rng.random_bool(0.5) {
            aliases.push(format!("{nickname} {family}"));
        } else {
            aliases.push(format!("{given} {family}"));
            given = (*nickname).to_owned();
        }
    }
    if rng.random_bool(0.08) {
        given = typo(rng, &given);
    }
    if rng.random_bool(0.08) {
        family = typo(rng, &family);
    }
    if person.is_child && rng.random_bool(0.08) {
        if rng.random_bool(0.5) {
            former.push(family);
        }
        family = pick(rng, FAMILY).to_owned();
    }
    let exact = person.dob;
    let dob = match rng.random_range(0..100) {
        0..8 => Dob::Unknown,
        8..16 => Dob::Year(exact.year()),
        16..20 => Dob::YearMonth(exact.year(), exact.month()),
        20..25 => NaiveDate::from_ymd_opt(exact.year(), exact.day(), exact.month())
            .map_or(Dob::Exact(exact), Dob::Exact),
        _ => Dob::Exact(exact),
    };
    let mut addresses = Vec::new();
    if rng.random_bool(0.2) {
        if rng.random_bool(0.5) {
            addresses.push(Address::new(person.home.written(rng)));
        }
        addresses.push(Address::new(Home::random(rng).written(rng)));
    } else {
        addresses.push(Address::new(person.home.written(rng)));
    }
    let phones = match &person.phone {
        Some(phone) if rng.random_bool(0.7) => {
            if rng.random_bool(0.5) {
                vec![format!("+61 {}", &phone[1..])]
            } else {
                vec![phone.clone()]
            }
        }
        _ => Vec::new(),
    };
    PersonRecord {
        given_names: given,
        family_name: family,
        aliases,
        former_family_names: former,
        dob,
        sex: rng.random_bool(0.9).then_some(person.sex),
        cris_number: person.cris.clone().filter(|_| rng.random_bool(0.4)),
        phones,
        addresses,
    }
}

/// Every pair of reports that shares a blocking key, lower index first.
fn candidate_pairs(records: &[&PersonRecord]) -> BTreeSet<(usize, usize)> {
    let mut blocks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, record) in records.iter().enumerate() {
        for key in keys(record) {
            blocks.entry(key).or_default().push(index);
        }
    }
    let mut pairs = BTreeSet::new();
    for members in blocks.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                pairs.insert((*a, *b));
            }
        }
    }
    pairs
}

#[test]
fn matching_finds_re_reports_without_proposing_twins_or_strangers() {
    let started = Instant::now();
    let population = population(0x5EED_2024, 400);
    let records: Vec<&PersonRecord> = population.reports.iter().map(|r| &r.record).collect();
    let person = |report: usize| population.reports[report].person;
    let weights = MatchWeights::default();

    let pairs = candidate_pairs(&records);
    let mut likely = 0usize;
    let mut likely_true = 0usize;
    let mut found = 0usize;
    let mut twins_likely = 0usize;
    for &(a, b) in &pairs {
        let explanation = compare(records[a], records[b], &weights);
        let same = person(a) == person(b);
        let (pa, pb) = (person(a).min(person(b)), person(a).max(person(b)));
        match explanation.band {
            Band::Likely => {
                likely += 1;
                likely_true += usize::from(same);
                twins_likely += usize::from(population.twins.contains(&(pa, pb)));
            }
            Band::Possible => {}
            Band::Unlikely => continue,
        }
        found += usize::from(same);
    }
    let mut reports_of: BTreeMap<usize, usize> = BTreeMap::new();
    for report in &population.reports {
        *reports_of.entry(report.person).or_default() += 1;
    }
    let true_pairs: usize = reports_of.values().map(|n| n * (n - 1) / 2).sum();
    let recall = found as f64 / true_pairs as f64;
    let precision = likely_true as f64 / likely as f64;
    println!(
        "people {}, reports {}, twin pairs {}, compared pairs {}, true pairs {true_pairs}, \
         likely {likely}; recall (likely+possible) {recall:.4}, precision (likely) \
         {precision:.4}, twins likely {twins_likely}, in {:.2?}",
        population.people.len(),
        population.reports.len(),
        population.twins.len(),
        pairs.len(),
        started.elapsed()
    );
    assert!(population.reports.len() >= 2_500);
    assert!(!population.twins.is_empty());
    assert!(recall >= 0.98, "recall {recall}");
    assert!(precision >= 0.99, "precision {precision}");
    assert_eq!(twins_likely, 0);
}

/// R-PERSON-2: a search scores each mention first from its key rows (its digest and the
/// keys it shares) and reads whole only those whose bound reaches the possible band. Over
/// every pair the quality test compares, both ways round, the bound is never below the
/// score, whether the identifier keys' rows were read whole or cut; and it leaves most
/// pairs unread.
#[test]
fn r_person_2_the_first_pass_never_drops_a_pair_the_score_would_band() {
    let population = population(0x5EED_2024, 400);
    let records: Vec<&PersonRecord> = population.reports.iter().map(|r| &r.record).collect();
    let weights = MatchWeights::default();
    let all_keys: Vec<_> = records.iter().map(|r| keys(r)).collect();
    let (mut compared, mut read, mut banded) = (0usize, 0usize, 0usize);
    for &(a, b) in &candidate_pairs(&records) {
        for (sought, mention) in [(a, b), (b, a)] {
            compared += 1;
            let score = compare(records[sought], records[mention], &weights).score;
            banded += usize::from(score >= weights.possible_threshold);
            let Some(known) = digest(records[mention]).as_deref().and_then(undigest) else {
                read += 1;
                continue;
            };
            let shared = all_keys[sought]
                .intersection(&all_keys[mention])
                .cloned()
                .collect();
            let cut = BTreeSet::new();
            for whole in [&all_keys[sought], &cut] {
                let seen = identifiers(&all_keys[sought], &shared, whole);
                let most = bound(records[sought], &known, seen, &weights);
                assert!(
                    most >= score - 1e-9,
                    "{:?} against {:?}: bound {most}, score {score}",
                    records[sought],
                    records[mention]
                );
            }
            let seen = identifiers(&all_keys[sought], &shared, &all_keys[sought]);
            read += usize::from(
                bound(records[sought], &known, seen, &weights) >= weights.possible_threshold,
            );
        }
    }
    println!("compared {compared}, read whole {read}, banded {banded}");
    assert!(read >= banded);
    assert!(read * 2 < compared, "read whole {read} of {compared}");
}

// ---------------------------------------------------------------------------------------
// Specifications by rule.

fn day(y: i32, m: u32, d: u32) -> Dob {
    Dob::Exact(NaiveDate::from_ymd_opt(y, m, d).expect("a date"))
}

fn child(given: &str, family: &str, dob: Dob) -> PersonRecord {
    let mut record = PersonRecord::new(given, family, dob);
    record.sex = Some(Sex::Female);
    record.phones = vec!["0412 345 678".into()];
    record.addresses = vec![Address::new("Unit 2, 15 Hope St, Brunswick")];
    record
}

/// The band of each record of `index` that shares a blocking key with `query`.
fn search(query: &PersonRecord, index: &[PersonRecord]) -> Vec<(usize, Band)> {
    let query_keys = keys(query);
    index
        .iter()
        .enumerate()
        .filter(|(_, record)| !keys(record).is_disjoint(&query_keys))
        .map(|(i, record)| (i, compare(query, record, &MatchWeights::default()).band))
        .collect()
}

#[test]
fn r_person_1_aliases_former_names_and_similar_spellings_are_found() {
    let mut aliased = PersonRecord::new("Katie", "Tran", day(2014, 5, 9));
    aliased.aliases = vec!["Catherine Nguyen".into()];
    let mut renamed = PersonRecord::new("Kathryn", "Papadopoulos", day(2014, 5, 9));
    renamed.former_family_names = vec!["Nguyen".into()];
    let spelt = PersonRecord::new("Catherine", "Nguyen", Dob::Year(2014));
    let moved = {
        let mut r = PersonRecord::new("Kathryn", "Ngyuen", Dob::Unknown);
        r.addresses = vec![Address::new("9 Oak Rd"), Address::new("2/15 Hope Street")];
        r
    };
    let stranger = PersonRecord::new("Mohammed", "Ali", day(1990, 1, 1));
    let index = [aliased, renamed, spelt, moved, stranger];

    let mut query = PersonRecord::new("Katherine", "Nguyen", day(2014, 5, 9));
    query.addresses = vec![Address::new("Unit 2, 15 Hope St")];
    let found = search(&query, &index);
    for (i, record) in index.iter().enumerate().take(4) {
        let band = found.iter().find(|(at, _)| *at == i).map(|(_, band)| *band);
        assert!(
            matches!(band, Some(Band::Likely | Band::Possible)),
            "{record:?}: {band:?}"
        );
    }
    assert!(found.iter().all(|(at, _)| *at != 4), "{found:?}");
}

#[test]
fn r_person_2_a_misspelt_re_report_is_likely() {
    let first = child("Jayden", "Thompson", day(2016, 3, 4));
    let mut again = child("Jaydne", "Thomspon", day(2016, 4, 3));
    again.phones = vec!["+61 412 345 678".into()];
    again.addresses = vec![Address::new("2/15 Hope Street Brunswick")];
    let explanation = compare(&first, &again, &MatchWeights::default());
    assert_eq!(explanation.band, Band::Likely, "{explanation:#?}");
    assert_eq!(explanation.capped, None);
}

#[test]
fn r_person_2_twins_and_siblings_are_never_likely() {
    let olivia = child("Olivia", "Nguyen", day(2014, 5, 9));
    let mut harper = child("Harper", "Nguyen", day(2014, 5, 9));
    harper.cris_number = None;
    let explanation = compare(&olivia, &harper, &MatchWeights::default());
    assert!(explanation.score >= MatchWeights::default().likely_threshold);
    assert_eq!(explanation.band, Band::Possible);
    assert_eq!(explanation.capped, Some(Cap::TwinsOrSiblings));

    let older = child("Ruby", "Nguyen", day(2011, 2, 1));
    let sibling = compare(&olivia, &older, &MatchWeights::default());
    assert_ne!(sibling.band, Band::Likely);
    assert_eq!(sibling.capped, Some(Cap::TwinsOrSiblings));
}

#[test]
fn r_person_2_an_unknown_date_of_birth_is_still_possible() {
    let known = child("Zoe", "Walker", day(2018, 7, 21));
    let mut unknown = PersonRecord::new("Zoey", "Walker", Dob::Unknown);
    unknown.sex = Some(Sex::Female);
    assert!(!keys(&known).is_disjoint(&keys(&unknown)));
    let explanation = compare(&known, &unknown, &MatchWeights::default());
    assert_eq!(explanation.band, Band::Possible, "{explanation:#?}");
    let dob = explanation
        .fields
        .iter()
        .find(|f| f.field == Field::Dob)
        .expect("dob compared");
    assert_eq!((dob.reason, dob.weight), (Reason::Unknown, 0.0));
}

#[test]
fn r_person_2_every_compared_field_is_in_the_explanation() {
    let mut a = child("Mohammed", "Ali", day(2012, 10, 2));
    a.cris_number = Some("CR 1234".into());
    let mut b = child("Muhammad", "Ali", day(2012, 10, 2));
    b.cris_number = Some("cr1234".into());
    let explanation = compare(&a, &b, &MatchWeights::default());
    let fields: Vec<Field> = explanation.fields.iter().map(|f| f.field).collect();
    assert_eq!(
        fields,
        [
            Field::GivenName,
            Field::FamilyName,
            Field::Dob,
            Field::Cris,
            Field::Address,
            Field::Phone,
            Field::Sex
        ]
    );
    let total: f64 = explanation.fields.iter().map(|f| f.weight).sum();
    assert!((total - explanation.score).abs() < 1e-9);
    let given = &explanation.fields[0];
    assert_eq!(
        (given.left.as_str(), given.right.as_str(), given.reason),
        ("mohammed", "muhammad", Reason::Near)
    );
    let json = serde_json::to_value(&explanation).expect("serialises");
    assert_eq!(json["band"], "likely");
    assert_eq!(json["fields"][3]["reason"], "match");
    assert_eq!(json["fields"].as_array().map(Vec::len), Some(7));
}
