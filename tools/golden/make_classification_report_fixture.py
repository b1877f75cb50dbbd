#!/usr/bin/env python3
"""Write the golden classification reports that ClassificationReportTests compares against.

Run with Debian's python3-sklearn (the reference oracle; never used at run time):

    /usr/bin/python3 tools/golden/make_classification_report_fixture.py

It writes tests/Negentropy.Tests/Fixtures/classification_report.json with, per case, the inputs,
scikit-learn's text report and its output_dict, and the scikit-learn version that made them.
"""
import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.metrics import classification_report

FASHION = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def imperfect_classifier(rng, count, classes, accuracy):
    """A seeded classifier that is right with probability `accuracy` and otherwise guesses."""
    y_true = rng.integers(0, classes, count)
    guesses = rng.integers(0, classes, count)
    y_pred = np.where(rng.random(count) < accuracy, y_true, guesses)
    return y_true.tolist(), y_pred.tolist()


def exact_halves():
    """Precisions that are exact binary halves at 2 digits, where Python rounds half to even.

    Class 0 is predicted 8 times with 1 right (precision 0.125, printed 0.12); class 1 is predicted
    8 times with 5 right (precision 0.625, printed 0.62).
    """
    y_true = [0] * 4 + [1] * 12
    y_pred = [0, 1, 1, 1] + [0] * 7 + [1] * 5
    return y_true, y_pred


def main():
    rng = np.random.default_rng(20261204)
    cases = []

    y_true, y_pred = imperfect_classifier(rng, 1000, 10, 0.8)
    cases.append(("fashion_imperfect", y_true, y_pred, FASHION, 2))
    cases.append(("fashion_imperfect_4_digits", y_true, y_pred, FASHION, 4))

    # Class 2 is never predicted (precision ill-defined) and class 3 never occurs (recall ill-defined).
    y_true, y_pred = imperfect_classifier(rng, 200, 3, 0.6)
    y_true = [t if t != 2 else 0 for t in y_true]
    y_pred = [p if p != 2 else 1 for p in y_pred]
    y_true[0] = 2
    cases.append(("absent_classes", y_true, y_pred, ["cat", "dog", "never predicted", "never true"], 2))

    y_true, y_pred = exact_halves()
    cases.append(("exact_halves", y_true, y_pred, ["first", "second"], 2))

    y_true, y_pred = imperfect_classifier(rng, 300, 4, 0.5)
    cases.append(("long_and_unicode_names", y_true, y_pred,
                  ["a", "a much longer class name than weighted avg", "正面", "négatif"], 3))

    fixture = {"sklearn_version": sklearn.__version__, "cases": []}
    for name, y_true, y_pred, names, digits in cases:
        labels = list(range(len(names)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedMetricWarning)
            text = classification_report(y_true, y_pred, labels=labels, target_names=names, digits=digits)
            as_dict = classification_report(y_true, y_pred, labels=labels, target_names=names, output_dict=True)
        fixture["cases"].append({
            "name": name, "y_true": [int(v) for v in y_true], "y_pred": [int(v) for v in y_pred],
            "target_names": names, "digits": digits, "text": text, "output_dict": as_dict,
        })

    out = pathlib.Path(__file__).resolve().parents[2] / "tests/Negentropy.Tests/Fixtures/classification_report.json"
    out.write_text(json.dumps(fixture, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(fixture['cases'])} cases, scikit-learn {sklearn.__version__})")


if __name__ == "__main__":
    main()
