"""Vocabulary of the synthetic benchmark library: fictional drugs, dose families, prose templates.

Everything here is invented for load testing and is not clinical content. Prose never writes a dose
as a number: doses appear only through placeholders ({{ regimen.dose }}) or as quoted verbatim text,
so every generated library passes the prose rules (P208, P209).

Template fields: {drug} {dose} {route} {limit} (a kind-specific placeholder phrase), {phase_freq},
{phase_name}, {cite} {cite2} (citations), {other} (a link to another protocol), {self} (a link to a
section of the same page).
"""

from __future__ import annotations

DRUG_PREFIXES = (
    "zor",
    "pela",
    "quin",
    "vera",
    "talo",
    "brex",
    "cimo",
    "dara",
    "elvi",
    "fena",
    "glyco",
    "hexa",
    "ilo",
    "juva",
    "kato",
    "lumi",
    "mira",
    "noxa",
    "orvi",
    "prala",
    "rilo",
    "sevo",
    "tiva",
    "ulvo",
)
DRUG_SUFFIXES = ("vatide", "mixin", "tazol", "pramine", "lukast", "dronate", "ferin", "zepam", "morelin", "tinib")

# (dose unit, standard doses, concentration unit, concentrations, ceiling)
BOLUS_FAMILIES = (
    (
        "mg/kg",
        ("0.1", "0.15", "0.2", "0.25", "0.3", "0.4", "0.5", "0.75", "1", "1.5", "2"),
        "mg/mL",
        ("1", "2", "5", "10", "20", "50"),
        "10 mg/kg",
    ),
    ("mcg/kg", ("0.5", "1", "1.5", "2", "3", "5"), "mcg/mL", ("10", "20", "50", "100"), "30 mcg/kg"),
    ("units/kg", ("10", "20", "25", "50", "75", "80"), "units/mL", ("100", "1000"), "400 units/kg"),
)
# (dose unit, standard rates, cap unit, durations, concentration unit, concentrations, ceiling)
CONTINUOUS_FAMILIES = (
    (
        "mg/kg/h",
        ("0.1", "0.15", "0.25", "0.35", "0.5", "1"),
        "mg/h",
        ("40 min", "2 h", "4 h", "24 h"),
        "mg/mL",
        ("1", "2", "5"),
        "5 mg/kg/h",
    ),
    (
        "mcg/kg/min",
        ("0.05", "0.1", "0.25", "0.5", "1", "2"),
        "mcg/min",
        ("1 h", "12 h", "24 h"),
        "mcg/mL",
        ("4", "16", "40"),
        "20 mcg/kg/min",
    ),
    (
        "units/kg/h",
        ("0.05", "0.1", "0.5", "1", "18"),
        "units/h",
        ("12 h", "24 h"),
        "units/mL",
        ("1", "100"),
        "50 units/kg/h",
    ),
)
# (unit, unit doses per device/tablet, routes, ceiling)
FIXED_FAMILIES = (
    ("mg", ("5", "10", "25", "28", "50", "100"), ("PO", "intranasal", "SUBCUT"), "1000 mg"),
    ("units", ("100", "500", "1000"), ("SUBCUT", "IM"), "10000 units"),
)
CAP_FACTORS = ("2", "2.5", "3")
WEIGHT_RANGES = (("40", "120", "5"), ("30", "150", "5"), ("50", "140", "2.5"), ("40", "100", "2"))

# (frequency, length, doses); length None: open-ended
SCHEDULES = (
    ("3 per week", "2 weeks", 6),
    ("1 per day", "10 days", 10),
    ("2 per week", "4 weeks", 8),
    ("1 per week", "4 weeks", 4),
    ("every 2 weeks", "12 weeks", 6),
    ("every 6 h", "2 days", 8),
    ("1 per month", "6 months", 6),
    ("every 8 h", "3 days", 9),
    ("1 per week", None, None),
    ("every 4 weeks", None, None),
)
PHASE_NAMES = ("Induction", "Loading phase", "Consolidation", "Maintenance", "Taper", "Rescue course")

INDICATIONS = (
    "acute agitation",
    "postoperative pain",
    "refractory migraine",
    "severe asthma exacerbation",
    "status epilepticus",
    "treatment-resistant depression",
    "neuropathic pain",
    "procedural sedation",
    "alcohol withdrawal",
    "acute heart failure",
    "septic shock",
    "diabetic ketoacidosis",
    "cancer pain",
    "chronic cluster headache",
    "opioid withdrawal",
    "delirium in intensive care",
)
OWNERS = (
    "Department of Psychiatry",
    "Pain Service",
    "Emergency Department",
    "Intensive Care Unit",
    "Department of Neurology",
    "Department of Anaesthesia",
    "Acute Medicine",
    "Pharmacy and Therapeutics",
)
AUTHOR_SURNAMES = (
    "Adams",
    "Baker",
    "Chen",
    "Duarte",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Huang",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Silva",
    "Tanaka",
)
JOURNALS = (
    "Journal of Clinical Synthesis",
    "Benchmark Medicine",
    "Annals of Test Pharmacology",
    "International Journal of Example Therapeutics",
    "Critical Care Placeholder",
)
PUBLISHERS = ("Example Health Press", "Synthetic Guidelines Network", "Placeholder Formulary Board")
TITLE_WORDS = (
    "randomized",
    "controlled",
    "trial",
    "of",
    "intravenous",
    "dosing",
    "outcomes",
    "in",
    "adults",
    "with",
    "a",
    "cohort",
    "study",
    "safety",
    "efficacy",
    "weight-based",
    "infusion",
    "review",
)

SUMMARY_SENTENCES = {
    "bolus": "Give {drug} {dose} {route}, {limit} {cite}.",
    "continuous": "Infuse {drug} {route} at {dose}, {limit} {cite}.",
    "fixed": "Give {drug} {route} as a fixed dose of {dose}; {limit} {cite}.",
}
LIMIT_PHRASES = {
    "bolus": "adjusting within {{{{ {r}.dose_range }}}} as the response allows",
    "continuous": "never faster than {{{{ {r}.max_dose }}}}, over {{{{ {r}.duration }}}}",
    "fixed": "later doses are {{{{ {r}.options }}}}, each device holding {{{{ {r}.unit_dose }}}}",
}
SUMMARY_TAIL = (
    "Screen every patient first ([[{self}]]) and see {other} for related care.",
    "Begin {phase_name} {phase_freq} and review the response at each visit {cite2}.",
    "Record the indication, the weight used and the dose given in the patient's notes {cite2}.",
)

SECTIONS = {
    "indications": (
        "Indications",
        (
            "Use this protocol for adults with {indication} when first-line treatment has failed or is "
            "unsuitable {cite}. The decision to start rests with the responsible consultant.",
            "It does not cover children, pregnancy or patients already receiving {drug} for another reason; "
            "for those, see {other} or seek advice.",
            "Before the first dose, confirm the working diagnosis and document why {drug} was chosen {cite2}.",
        ),
    ),
    "contraindications": (
        "Contraindications",
        (
            "Do not give {drug} to a patient with a known hypersensitivity to it or to any excipient {cite}.",
            "Use caution in severe hepatic or renal impairment, where exposure may rise; discuss the plan "
            "with the pharmacist before the first dose.",
            "Uncontrolled hypertension, recent myocardial infarction and raised intracranial pressure are "
            "relative contraindications; weigh them against the expected benefit {cite2}.",
        ),
    ),
    "monitoring": (
        "Monitoring",
        (
            "Measure blood pressure, heart rate and oxygen saturation before the first dose and at least "
            "every 15 minutes for the first hour {cite}.",
            "Assess sedation with the local scale and stop the infusion if the patient cannot be roused; "
            "follow [[{self}]] for what to do next.",
            "After each dose, observe the patient for at least 2 hours before discharge {cite2}.",
        ),
    ),
    "adverse-effects": (
        "Adverse effects",
        (
            "Expect transient nausea, dizziness and mild rises in blood pressure; they usually settle within "
            "an hour of the end of the dose {cite}.",
            "Report any serious or unexpected reaction through the hospital incident system and to the pharmacy team.",
            "Dose-related effects are more common near the top of the range; when they occur, return to "
            "{dose} at the next session {cite2}.",
        ),
    ),
    "preparation": (
        "Preparation and administration",
        (
            "Prepare {drug} in the pharmacy or clinical area according to the local injectable medicines "
            "guide {cite}. Label every syringe and bag with the drug, the amount and the time prepared.",
            "Give {drug} {route}; check the weight used against the dose table before each administration.",
            "Use a dedicated line where possible and flush it after the dose {cite2}.",
        ),
    ),
    "escalation": (
        "When to escalate",
        (
            "Call the responsible team at once for a fall in oxygen saturation, chest pain or new confusion {cite}.",
            "If the response is inadequate after {phase_name}, review the diagnosis before increasing the dose; "
            "the dose range is given in the dosing section.",
            "Patients who need repeated rescue doses should be reviewed by a senior clinician {cite2}.",
        ),
    ),
    "evidence": (
        "Evidence",
        (
            "The regimen follows the largest controlled trials available {cite}, with the schedule adapted "
            "to local practice.",
            'Older observational studies reported similar responses at {{{{ "twice the standard dose" }}}}, '
            "with more adverse effects {cite2}.",
            "Related protocols: {other}.",
        ),
    ),
    "documentation": (
        "Documentation",
        (
            "Record each dose, the weight it was based on and the observations in the electronic record.",
            "Document the reason for any deviation from this protocol and who approved it {cite}.",
            "Audit adherence to this protocol once a year and report the findings to the drug and "
            "therapeutics committee.",
        ),
    ),
    "follow-up": (
        "Follow-up",
        (
            "Review the patient within a week of the last dose of {phase_name} {cite}.",
            "If symptoms return, consider a further course after discussion with the consultant; see "
            "[[{self}]] for the criteria.",
            "Give the patient written information about the treatment and whom to contact {cite2}.",
        ),
    ),
}

ALGORITHM_STEPS = (
    "Confirm the indication and screen for contraindications ([[{self}]]).",
    "Weigh the patient and look up the dose in the dose table [[#dose-table]].",
    "Give {drug} {dose} {route} {cite}.",
    "Continue {phase_name} {phase_freq}.",
    "Review the response and adverse effects before each further dose {cite2}.",
)

# Second and third sentences of paragraphs: general, dose-free text.
FILLER = (
    "Local policy on consent and supervision applies throughout.",
    "The pharmacist checks every prescription against this protocol before the first dose {cite}.",
    "Where the patient's condition changes, reassess before the next dose.",
    "Nursing staff may withhold a dose and call the prescriber if observations fall outside the agreed limits.",
    "The evidence for this step is moderate {cite}.",
    "Explain the plan to the patient and their family and record that the explanation was given.",
    "Any departure from this step must be discussed with the consultant on call.",
)
REVIEWERS = (
    ("Dr Alex Example", "psychiatrist"),
    ("Dr Robin Sample", "psychiatrist"),
    ("Sam Placeholder", "pharmacist"),
    ("Jo Testcase", "pharmacist"),
)
