#!/usr/bin/env python3
"""Measures triage against the development sets in ../shared/data, through `parley triage`.

    scripts/triage-quality.py [--parley build/release/parley] [--data ../shared/data] [--json]

Prints one line per figure (and the command to reproduce it is this one). Standard library only.
Exits 0 with a message when the data folder is absent.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def triage(parley, records, config=None):
    """Runs `parley triage` over the records (dicts) and returns one result dict per record."""
    command = [parley, "triage"]
    if config:
        command += ["--config", config]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    done = subprocess.run(command, input=text.encode("utf-8"), capture_output=True, check=False)
    lines = done.stdout.decode("utf-8").splitlines()
    if len(lines) != len(records):
        sys.exit(f"parley triage returned {len(lines)} lines for {len(records)} inputs: "
                 f"{done.stderr.decode('utf-8', 'replace')[:500]}")
    return [json.loads(line) for line in lines]


def pearson(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    vx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    vy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return cov / (vx * vy) if vx and vy else 0.0


def prf(predicted, gold):
    tp = sum(1 for p, g in zip(predicted, gold) if p and g)
    fp = sum(1 for p, g in zip(predicted, gold) if p and not g)
    fn = sum(1 for p, g in zip(predicted, gold) if not p and g)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def sentiment_correlation(parley, data, out):
    # VADER's own ground truth: sentences rated -4..4 by humans (mean of 10 ratings).
    for name in ("amazonReviewSnippets", "movieReviewSnippets", "nytEditorialSnippets"):
        path = os.path.join(data, "vader", f"{name}_GroundTruth.txt")
        rows = []
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    rows.append((float(parts[1]), parts[2]))
        results = triage(parley, [{"text": t} for _, t in rows])
        r = pearson([res["sentiment"] for res in results], [g for g, _ in rows])
        out[f"sentiment_pearson_{name}"] = round(r, 3)


def tweeteval_polarity(parley, data, out):
    base = os.path.join(data, "tweeteval", "sentiment")
    with open(os.path.join(base, "val_text.txt"), encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    with open(os.path.join(base, "val_labels.txt"), encoding="utf-8") as f:
        labels = [int(line) for line in f if line.strip()]
    names = {0: "negative", 1: "neutral", 2: "positive"}
    results = triage(parley, [{"text": t, "channel": "x"} for t in texts])
    recalls = {}
    for label, name in names.items():
        idx = [i for i, g in enumerate(labels) if g == label]
        recalls[name] = sum(1 for i in idx if results[i]["polarity"] == name) / len(idx)
    out["tweeteval_polarity_macro_recall"] = round(sum(recalls.values()) / 3, 3)
    out["tweeteval_polarity_recall"] = {k: round(v, 3) for k, v in recalls.items()}
    out["tweeteval_polarity_accuracy"] = round(
        sum(1 for r, g in zip(results, labels) if r["polarity"] == names[g]) / len(labels), 3)


def tweeteval_offensive(parley, data, out):
    base = os.path.join(data, "tweeteval", "offensive")
    with open(os.path.join(base, "val_text.txt"), encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    with open(os.path.join(base, "val_labels.txt"), encoding="utf-8") as f:
        labels = [int(line) == 1 for line in f if line.strip()]
    results = triage(parley, [{"text": t, "channel": "x"} for t in texts])
    predicted = [bool({"profanity", "abuse"} & set(r["tags"])) for r in results]
    p, r, f1 = prf(predicted, labels)
    p0, r0, f0 = prf([not x for x in predicted], [not x for x in labels])
    out["offensive"] = {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f1, 3),
                        "macro_f1": round((f1 + f0) / 2, 3)}


def airline(parley, data, out):
    path = os.path.join(data, "airline-sentiment", "Tweets.csv")
    with open(path, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    config = os.path.join(ROOT, "docs", "examples", "triage-airline.json")
    results = triage(parley, [{"text": r["text"], "channel": "x"} for r in rows], config)
    complaint = [r["intent"] in ("dissatisfaction", "urgent_need", "potential_crisis") for r in results]
    gold = [r["airline_sentiment"] == "negative" for r in rows]
    p, rc, f1 = prf(complaint, gold)
    out["airline_complaint"] = {"precision": round(p, 3), "recall": round(rc, 3), "f1": round(f1, 3)}
    mapping = {"Late Flight": "late_flight", "Cancelled Flight": "cancelled_flight",
               "Lost Luggage": "lost_luggage", "Damaged Luggage": "damaged_luggage",
               "Customer Service Issue": "customer_service", "Bad Flight": "bad_flight",
               "Flight Booking Problems": "flight_booking", "Flight Attendant Complaints": "flight_attendant",
               "longlines": "longlines"}
    hits = total = covered = 0
    per_reason = defaultdict(lambda: [0, 0])
    for row, result in zip(rows, results):
        reason = mapping.get(row["negativereason"])
        if not reason:
            continue
        topic = next((x["value"] for x in result["reasons"]
                      if x["field"] == "priority" and x["because"].startswith("topic ")), None)
        total += 1
        covered += topic is not None
        hits += topic == reason
        per_reason[reason][0] += topic == reason
        per_reason[reason][1] += 1
    out["airline_negative_reason"] = {
        "accuracy": round(hits / total, 3), "coverage": round(covered / total, 3), "tweets": total,
        "per_reason_accuracy": {k: round(a / n, 3) for k, (a, n) in sorted(per_reason.items())}}


def languages(parley, data, out):
    base = os.path.join(data, "langid", "lingua-testdata")
    for kind in ("sentences", "word-pairs", "single-words"):
        folder = os.path.join(base, kind)
        if not os.path.isdir(folder):
            continue
        per = {}
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".txt"):
                continue
            code = name[:-4]
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                texts = [line.rstrip("\n") for line in f if line.strip()]
            results = triage(parley, [{"text": t} for t in texts])
            per[code] = sum(1 for r in results if r["language"] == code) / len(texts)
        out[f"language_accuracy_{kind}"] = round(sum(per.values()) / len(per), 3)
        if kind == "sentences":
            out["language_accuracy_sentences_per_language"] = {k: round(v, 3) for k, v in per.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parley", default=os.path.join(ROOT, "build", "release", "parley"))
    parser.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--only", help="one of: sentiment, polarity, offensive, airline, language")
    args = parser.parse_args()
    if not os.path.isdir(args.data):
        print(f"triage-quality: {args.data} is absent; nothing to measure (skipped)")
        return 0
    out = {}
    steps = {"sentiment": sentiment_correlation, "polarity": tweeteval_polarity,
             "offensive": tweeteval_offensive, "airline": airline, "language": languages}
    for name, step in steps.items():
        if args.only and args.only != name:
            continue
        step(args.parley, args.data, out)
    if args.json:
        print(json.dumps(out, indent=1))
    else:
        for key, value in out.items():
            print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
