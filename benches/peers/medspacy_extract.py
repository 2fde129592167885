"""The medspaCy side of the peer comparison: extract the same lesion, site
and technique terms dermls reads from a corpus of notes, offline, and report
notes per second.

medspaCy runs on `spacy.blank("en")` (no model download) with a target
matcher whose rules are the phrases of dermls's own vocabulary
(`grammar/vocabulary.json`: procedure and technique phrases, lesion types,
anatomic sites, laterality), so both tools look for the same words. medspaCy
finds the terms; it does not pair them into lesions, compute sizes or derive
codes, so it does strictly less work than `dermls claim`.

Two pipelines: `minimal` (the target matcher alone, medspaCy's floor) and
`default` (medspaCy's default: PyRuSH sentence splitting, the target matcher
and ConText for negation and history, the nearest thing to what dermls does
with its cues). PyRuSH's own debug log is switched off; it would otherwise
dominate the time.

usage: python medspacy_extract.py minimal|default VOCABULARY.json CORPUS.derm
prints one JSON line: notes, entities, seconds, notes_per_second
"""
import json
import re
import sys
import time

import medspacy
import spacy
from loguru import logger
from medspacy.target_matcher import TargetRule


def rules(vocab):
    out = []
    for p in vocab["procedures"]:
        label = "TECHNIQUE" if p.get("technique") else "PROCEDURE"
        out += [TargetRule(x, label) for x in p["phrases"]]
    for t in vocab["lesion_types"]:
        out += [TargetRule(x, "LESION") for x in t["phrases"] if not x.endswith("?")]
    for s in vocab["sites"]:
        out += [TargetRule(x, "SITE") for x in s["phrases"]]
    for side, words in vocab["laterality"].items():
        if isinstance(words, list):
            out += [TargetRule(x, "LATERALITY") for x in words]
    return out


def main():
    pipeline = sys.argv[1]
    vocab = json.load(open(sys.argv[2], encoding="utf-8"))
    text = open(sys.argv[3], encoding="utf-8").read()
    logger.remove()
    notes = [n for n in re.split(r"(?m)^(?=# Encounter)", text) if n.strip()]
    nlp = spacy.blank("en")
    if pipeline == "minimal":
        nlp = medspacy.load(nlp, medspacy_enable=["medspacy_target_matcher"])
    else:
        nlp = medspacy.load(nlp)
    nlp.get_pipe("medspacy_target_matcher").add(rules(vocab))
    start = time.perf_counter()
    entities = 0
    for doc in nlp.pipe(notes, batch_size=64):
        entities += len(doc.ents)
    seconds = time.perf_counter() - start
    print(json.dumps({
        "tool": f"medspacy {medspacy.__version__} {pipeline} pipeline {nlp.pipe_names} (spaCy {spacy.__version__}, blank en, {len(rules(vocab))} target rules)",
        "notes": len(notes),
        "entities": entities,
        "seconds": round(seconds, 3),
        "notes_per_second": round(len(notes) / seconds, 1),
    }))


if __name__ == "__main__":
    main()
