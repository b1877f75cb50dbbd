#!/usr/bin/env python3
"""Write the golden evaluation metrics that the metrics tests compare against.

Run with Debian's python3-sklearn and python3-scipy, which are the reference oracles and are never used at run time:

    /usr/bin/python3 tools/golden/make_metrics_fixture.py

It writes tests/Negentropy.Tests/Fixtures/metrics_grid.json with, per case, the inputs (labels,
y_true, y_pred = row-wise argmax with ties to the lowest index, and the probability matrix) and the
expected classification, probability, calibration and information metrics. It also writes
tests/Negentropy.Tests/Fixtures/metrics_large.csv.gz with the inputs of the "large" case, which the
JSON names in "data_file" instead of storing arrays. That file is gzip CSV with the header
`label,p0,...,p9`, one row per sample, and probabilities written with repr(float) so they parse back
to the same doubles.

JSON conventions: floats are written with Python's repr (round-trip precision), an undefined value
is null (NaN never appears), and an infinity is the string "inf" because JSON has no infinity.
"""
import gzip
import io
import json
import math
import pathlib
import warnings
from itertools import combinations

import numpy as np
import scipy
import sklearn
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    brier_score_loss,
    cohen_kappa_score,
    confusion_matrix,
    log_loss,
    matthews_corrcoef,
    mutual_info_score,
    precision_recall_fscore_support,
    roc_auc_score,
    top_k_accuracy_score,
)

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests/Negentropy.Tests/Fixtures"
LARGE_DATA_FILE = "metrics_large.csv.gz"
CALIBRATION_BINS = 15
PSI_FLOOR = 1e-4
OVO_TOLERANCE = 1e-12
LN2 = math.log(2.0)


# ---------------------------------------------------------------- JSON values

def number(value):
    """Convert a scalar to a JSON value: null for NaN or None, "inf"/"-inf" for infinities."""
    if value is None:
        return None
    value = float(value)
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def numbers(values):
    return [number(v) for v in values]


def matrix(values):
    return [numbers(row) for row in values]


# ---------------------------------------------------------------- inputs

def noisy_probabilities(rng, y_true, classes, max_weight=0.7, concentration=1.0):
    """Mix each row's one-hot truth with Dirichlet noise, using a uniform random weight in [0, max_weight)."""
    count = len(y_true)
    noise = rng.dirichlet(np.full(classes, concentration), size=count)
    weight = max_weight * rng.random((count, 1))
    mixed = weight * np.eye(classes)[y_true] + (1.0 - weight) * noise
    return mixed / mixed.sum(axis=1, keepdims=True)


def quantize_rows(probs, denominator):
    """Round each row to multiples of 1/denominator whose integer numerators sum to denominator.

    Uses largest-remainder rounding, so every value is the double nearest to m/denominator and its
    repr is short, and each row sums to 1 up to float64 rounding of the sum.
    """
    scaled = probs * denominator
    units = np.floor(scaled).astype(np.int64)
    shortfall = denominator - units.sum(axis=1)
    by_remainder = np.argsort(-(scaled - units), axis=1, kind="stable")
    rank = np.argsort(by_remainder, axis=1, kind="stable")
    units += rank < shortfall[:, None]
    return units / denominator


def make_case(name, y_true, probs, labels=None):
    y_true = np.asarray(y_true, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float64)
    classes = probs.shape[1]
    assert probs.shape[0] == len(y_true), name
    assert np.allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-12), name
    assert probs.min() >= 0.0, name
    return {
        "name": name,
        "k": classes,
        "labels": list(range(classes)) if labels is None else labels,
        "y_true": y_true,
        "y_pred": np.argmax(probs, axis=1),  # ties go to the lowest index
        "probs": probs,
    }


def exact_zero_one_rows():
    """Return (truth, probabilities) rows with exact zeros and ones. Every row sums to exactly 1.0."""
    return [
        (0, [1.0, 0.0, 0.0]),   # one-hot, right
        (1, [0.0, 1.0, 0.0]),   # one-hot, right
        (2, [0.0, 0.0, 1.0]),   # one-hot, right
        (2, [1.0, 0.0, 0.0]),   # one-hot, wrong: log loss hits the eps clip
        (0, [0.0, 1.0, 0.0]),   # one-hot, wrong
        (0, [0.75, 0.25, 0.0]),
        (1, [0.0, 0.375, 0.625]),
        (1, [0.5, 0.5, 0.0]),   # tie, argmax takes class 0, so wrong
        (2, [0.0, 0.5, 0.5]),   # tie, argmax takes class 1, so wrong
        (2, [0.25, 0.0, 0.75]),
        (1, [0.0, 0.875, 0.125]),
        (0, [0.5, 0.25, 0.25]),
    ]


def bin_edge_rows(rng):
    """Rows whose maximum is exactly a bin edge b/15 or one ulp either side of it (K=3, b = 6..15)."""
    y_true, rows = [], []
    for b in range(6, CALIBRATION_BINS + 1):
        edge = b / CALIBRATION_BINS
        for confidence in (np.nextafter(edge, 0.0), edge, np.nextafter(edge, 2.0)):
            if confidence > 1.0:
                continue
            rest = (1.0 - confidence) / 2.0
            rows.append([confidence, rest, 1.0 - confidence - rest])
            y_true.append(int(rng.integers(0, 3)))
    return y_true, rows


def build_cases(rng):
    cases = []

    y_true = rng.integers(0, 2, 200)
    cases.append(make_case("binary_imperfect", y_true, noisy_probabilities(rng, y_true, 2)))

    y_true = rng.integers(0, 5, 500)
    cases.append(make_case("multiclass_imperfect", y_true, noisy_probabilities(rng, y_true, 5)))

    # Class 2 occurs in y_true, but its score is at most half the largest other score, so it is never the argmax.
    y_true = rng.integers(0, 4, 300)
    probs = noisy_probabilities(rng, y_true, 4)
    probs[:, 2] = 0.5 * probs[:, [0, 1, 3]].max(axis=1) * rng.random(300)
    probs /= probs.sum(axis=1, keepdims=True)
    case = make_case("absent_from_pred", y_true, probs)
    assert not (case["y_pred"] == 2).any()
    assert (case["y_true"] == 2).any()
    cases.append(case)

    # Class 3 never occurs in y_true, but the noise makes it the argmax for some rows.
    y_true = rng.integers(0, 3, 300)
    case = make_case("absent_from_true", y_true, noisy_probabilities(rng, y_true, 4, max_weight=0.5))
    assert (case["y_pred"] == 3).any()
    assert not (case["y_true"] == 3).any()
    cases.append(case)

    # Multiples of 0.1 give many exact ties within each column and some within rows.
    y_true = rng.integers(0, 3, 200)
    probs = quantize_rows(noisy_probabilities(rng, y_true, 3), 10)
    cases.append(make_case("tied_scores", y_true, probs))

    truths, rows = zip(*exact_zero_one_rows())
    cases.append(make_case("exact_zero_one", truths, rows))

    y_true = np.ones(60, dtype=np.int64)
    cases.append(make_case("single_class_true", y_true, noisy_probabilities(rng, y_true, 3)))

    cases.append(make_case("one_row", [2], [[0.25, 0.15, 0.6]]))

    # Data uses classes 0..2 only, but the probability matrix and labels have a fourth class. Its
    # score is exactly 0 in half the rows and small in the rest.
    y_true = rng.integers(0, 3, 150)
    probs = np.zeros((150, 4))
    probs[:, :3] = noisy_probabilities(rng, y_true, 3)
    probs[75:, 3] = 0.05 * rng.random(75)
    probs /= probs.sum(axis=1, keepdims=True)
    case = make_case("labels_with_absent_extra", y_true, probs, labels=[0, 1, 2, 3])
    assert not (case["y_pred"] == 3).any()
    assert not (case["y_true"] == 3).any()
    cases.append(case)

    y_true, rows = bin_edge_rows(rng)
    cases.append(make_case("calibration_bin_edges", y_true, rows))

    # Binary with a single class in y_true: binary ROC AUC and average precision are undefined.
    y_true = np.zeros(30, dtype=np.int64)
    cases.append(make_case("binary_single_class_true", y_true, noisy_probabilities(rng, y_true, 2)))

    # Probabilities on a 1e-5 grid keep the gzip CSV near 2.7 MB, where full-precision reprs need about 9 MB.
    y_true = rng.integers(0, 10, 100_000)
    probs = quantize_rows(noisy_probabilities(rng, y_true, 10), 100_000)
    case = make_case("large", y_true, probs)
    case["data_file"] = LARGE_DATA_FILE
    cases.append(case)

    return cases


def write_large_csv(path, y_true, probs):
    """Write gzip CSV with a zero mtime and no stored file name, so reruns give identical bytes."""
    header = "label," + ",".join(f"p{c}" for c in range(probs.shape[1]))
    lines = [header]
    for label, row in zip(y_true, probs):
        lines.append(str(int(label)) + "," + ",".join(repr(float(v)) for v in row))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as stream:
        stream.write(("\n".join(lines) + "\n").encode("ascii"))
    path.write_bytes(buffer.getvalue())


# ---------------------------------------------------------------- classification metrics

def prf_block(y_true, y_pred, labels, zero_division):
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, average=None, zero_division=zero_division)
    block = {"per_class": {"precision": numbers(precision), "recall": numbers(recall),
                           "f1": numbers(f1), "support": [int(s) for s in support]}}
    for average in ("micro", "macro", "weighted"):
        precision, recall, f1, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=average, zero_division=zero_division)
        block[average] = {"precision": number(precision), "recall": number(recall), "f1": number(f1)}
    return block


def classification_metrics(case):
    y_true, y_pred, probs, labels = case["y_true"], case["y_pred"], case["probs"], case["labels"]
    classes = case["k"]
    result = {
        "accuracy": number(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": number(balanced_accuracy_score(y_true, y_pred)),
    }
    if classes > 2:
        # scikit-learn 1.2.1 ranks with a stable ascending argsort and then reverses it, so among
        # tied scores the highest class index enters the top k first.
        result["top_2_accuracy"] = number(top_k_accuracy_score(y_true, probs, k=2, labels=list(range(classes))))
    result["confusion_matrix"] = confusion_matrix(y_true, y_pred, labels=labels).tolist()
    result["confusion_matrix_normalized"] = {
        normalize: matrix(confusion_matrix(y_true, y_pred, labels=labels, normalize=normalize))
        for normalize in ("true", "pred", "all")  # scikit-learn writes 0 for an empty row or column
    }
    result["prf"] = {z: prf_block(y_true, y_pred, labels, int(z)) for z in ("0", "1")}
    result["matthews_corrcoef"] = number(matthews_corrcoef(y_true, y_pred))
    result["cohen_kappa"] = number(cohen_kappa_score(y_true, y_pred, labels=labels))
    return result


# ---------------------------------------------------------------- probability metrics

def present_classes(y_true, classes):
    """Classes with at least one positive and one negative sample in y_true."""
    return [c for c in range(classes) if 0 < np.sum(y_true == c) < len(y_true)]


def hand_till_ovo(y_true, probs, classes):
    """Compute the Hand & Till one-vs-one AUC, the mean over class pairs present in y_true of (A(a|b) + A(b|a)) / 2."""
    occurring = [c for c in range(classes) if np.any(y_true == c)]
    pair_scores = []
    for a, b in combinations(occurring, 2):
        rows = (y_true == a) | (y_true == b)
        a_given_b = roc_auc_score(y_true[rows] == a, probs[rows, a])
        b_given_a = roc_auc_score(y_true[rows] == b, probs[rows, b])
        pair_scores.append((a_given_b + b_given_a) / 2.0)
    return float(np.mean(pair_scores)) if pair_scores else None


def probability_metrics(case, ovo_checks):
    y_true, probs = case["y_true"], case["probs"]
    classes = case["k"]
    result = {"log_loss": number(log_loss(y_true, probs, labels=list(range(classes))))}

    one_hot = np.eye(classes)[y_true]
    result["brier_multiclass"] = number(np.mean(np.sum((probs - one_hot) ** 2, axis=1)))
    if classes == 2:
        result["brier_binary"] = number(brier_score_loss(y_true, probs[:, 1]))

    # One-vs-rest ROC AUC skips a class that has no positive or no negative sample in y_true.
    scored = present_classes(y_true, classes)
    per_class = [None] * classes
    for c in scored:
        per_class[c] = float(roc_auc_score(y_true == c, probs[:, c]))
    if scored:
        scores = np.array([per_class[c] for c in scored])
        weights = np.array([np.sum(y_true == c) for c in scored], dtype=np.float64)
        result["roc_auc_ovr_macro"] = number(np.mean(scores))
        result["roc_auc_ovr_weighted"] = number(np.sum(weights * scores) / np.sum(weights))
    else:
        result["roc_auc_ovr_macro"] = None
        result["roc_auc_ovr_weighted"] = None
    result["roc_auc_ovr_per_class"] = numbers(per_class)

    binary_defined = classes == 2 and len(np.unique(y_true)) == 2
    if classes == 2:
        result["roc_auc_binary"] = number(roc_auc_score(y_true, probs[:, 1])) if binary_defined else None

    ovo = hand_till_ovo(y_true, probs, classes)
    result["roc_auc_ovo_macro"] = number(ovo)
    check_ovo(case, ovo, result, ovo_checks)

    # Average precision is averaged over the classes that occur in y_true.
    per_class = [None] * classes
    for c in range(classes):
        if np.any(y_true == c):
            per_class[c] = float(average_precision_score(y_true == c, probs[:, c]))
    occurring = [v for v in per_class if v is not None]
    result["average_precision_macro"] = number(np.mean(occurring))
    result["average_precision_per_class"] = numbers(per_class)
    if classes == 2:
        # NOTE: null when y_true has no positive (class 1), where scikit-learn 1.2.1 warns and returns -0.0.
        has_positive = bool(np.any(y_true == 1))
        result["average_precision_binary"] = (
            number(average_precision_score(y_true, probs[:, 1])) if has_positive else None)
    return result


def check_ovo(case, ovo, result, ovo_checks):
    """Compare the Hand & Till value with scikit-learn's OvO macro AUC, or with the binary AUC when K=2.

    Appends one (case name, message or None) pair per comparison made; the message is None when they agree.
    """
    y_true, probs, classes = case["y_true"], case["probs"], case["k"]
    if ovo is None or len(np.unique(y_true)) != classes:
        return
    if classes == 2:
        reference, source = result["roc_auc_binary"], "roc_auc_binary"
    else:
        reference = roc_auc_score(y_true, probs, multi_class="ovo", average="macro", labels=list(range(classes)))
        source = "sklearn ovo macro"
    message = None
    if abs(ovo - reference) > OVO_TOLERANCE:
        message = f"{case['name']}: Hand & Till OvO {ovo!r} differs from {source} {reference!r}"
    ovo_checks.append((case["name"], message))


# ---------------------------------------------------------------- calibration

def bin_edges():
    return [(b / CALIBRATION_BINS, (b + 1) / CALIBRATION_BINS) for b in range(CALIBRATION_BINS)]


def assign_bins(confidence):
    """Assign each confidence to the bin b with b/15 < confidence <= (b+1)/15. Bin 0 also takes exactly 0."""
    index = np.full(len(confidence), -1, dtype=np.int64)
    for b, (lower, upper) in enumerate(bin_edges()):
        index[(confidence > lower) & (confidence <= upper)] = b
    index[confidence == 0.0] = 0
    assert (index >= 0).all(), "a confidence lies outside [0, 1]"
    return index


def ceil_bins(confidence):
    """Apply the shortcut ceil(confidence * 15) - 1, clipped to [0, 14], which is used only to count disagreements.

    It misplaces values one ulp above an edge, such as nextafter(11/15, 1), whose product with 15 rounds to 11.0.
    """
    return np.clip(np.ceil(confidence * CALIBRATION_BINS).astype(np.int64) - 1, 0, CALIBRATION_BINS - 1)


def calibration_gaps(groups, confidence, correct):
    """Return (ECE, MCE) over the non-empty index groups, with ECE = sum (n_g/N)|accuracy_g - confidence_g|."""
    total = len(confidence)
    ece, mce = 0.0, 0.0
    for members in groups:
        if len(members) == 0:
            continue
        gap = abs(np.mean(correct[members]) - np.mean(confidence[members]))
        ece += len(members) / total * gap
        mce = max(mce, gap)
    return ece, mce


def equal_width_groups(confidence, disagreements):
    index = assign_bins(confidence)
    disagreements.append(int(np.sum(index != ceil_bins(confidence))))
    return [np.flatnonzero(index == b) for b in range(CALIBRATION_BINS)]


def calibration_metrics(case, disagreements):
    y_true, y_pred, probs = case["y_true"], case["y_pred"], case["probs"]
    confidence = probs.max(axis=1)
    correct = (y_pred == y_true).astype(np.float64)

    groups = equal_width_groups(confidence, disagreements)
    ece, mce = calibration_gaps(groups, confidence, correct)
    reliability = []
    for (lower, upper), members in zip(bin_edges(), groups):
        filled = len(members) > 0
        reliability.append({
            "lower": lower, "upper": upper, "count": int(len(members)),
            "mean_confidence": number(np.mean(confidence[members])) if filled else None,
            "accuracy": number(np.mean(correct[members])) if filled else None,
        })

    order = np.argsort(confidence, kind="stable")
    equal_mass, _ = calibration_gaps(np.array_split(order, CALIBRATION_BINS), confidence, correct)

    classwise = []
    for c in range(case["k"]):
        scores = probs[:, c]
        is_class = (y_true == c).astype(np.float64)
        classwise.append(calibration_gaps(equal_width_groups(scores, disagreements), scores, is_class)[0])

    return {
        "ece": number(ece), "mce": number(mce), "reliability": reliability,
        "ece_equal_mass": number(equal_mass), "ece_classwise": number(np.mean(classwise)),
    }


# ---------------------------------------------------------------- information

def information_metrics(case, log_loss_nats):
    y_true, y_pred, probs = case["y_true"], case["y_pred"], case["probs"]
    count = len(y_true)
    label_entropy = entropy(np.bincount(y_true, minlength=case["k"]), base=2)
    cross_entropy = log_loss_nats / LN2
    mutual_information_nats = mutual_info_score(y_true, y_pred)
    mutual_information = mutual_information_nats / LN2

    # Miller-Madow: each plug-in entropy gains (m - 1) / (2N), m = number of non-zero cells, and
    # MI = H(Y) + H(Y_pred) - H(Y, Y_pred).
    true_cells = len(np.unique(y_true))
    pred_cells = len(np.unique(y_pred))
    joint_cells = len(np.unique(np.stack([y_true, y_pred], axis=1), axis=0))
    correction = ((true_cells - 1) + (pred_cells - 1) - (joint_cells - 1)) / (2.0 * count)

    return {
        "label_entropy_bits": number(label_entropy),
        "mean_entropy_bits": number(np.mean(entropy(probs, base=2, axis=1))),
        "cross_entropy_bits": number(cross_entropy),
        "bits_learned": number(label_entropy - cross_entropy),
        "mutual_information_bits": number(mutual_information),
        "conditional_entropy_bits": number(label_entropy - mutual_information),
        "mutual_information_mm_bits": number((mutual_information_nats + correction) / LN2),
    }


def case_entry(case, ovo_checks, disagreements):
    entry = {"name": case["name"], "k": case["k"], "n": int(len(case["y_true"])), "labels": case["labels"]}
    if "data_file" in case:
        entry["data_file"] = case["data_file"]
    else:
        entry["y_true"] = case["y_true"].tolist()
        entry["y_pred"] = case["y_pred"].tolist()
        entry["probs"] = matrix(case["probs"])
    entry.update(classification_metrics(case))
    entry.update(probability_metrics(case, ovo_checks))
    entry.update(calibration_metrics(case, disagreements))
    entry.update(information_metrics(case, entry["log_loss"]))
    return entry


# ---------------------------------------------------------------- divergences and PSI

def divergence_entry(p, q):
    """Entropies and divergences in bits unless named nats; cross entropy = H(p) + KL(p || q)."""
    p, q = np.array(p, dtype=np.float64), np.array(q, dtype=np.float64)
    kl = entropy(p, q, base=2)
    distance = jensenshannon(p, q, base=2)
    return {
        "p": p.tolist(), "q": q.tolist(),
        "entropy_p_bits": number(entropy(p, base=2)),
        "entropy_p_nats": number(entropy(p)),
        "cross_entropy_bits": number(entropy(p, base=2) + kl),
        "kl_bits": number(kl),
        "js_distance_base2": number(distance),
        "js_divergence_bits": number(distance ** 2),
    }


def divergence_entries():
    # Each distribution sums to exactly 1.0 in float64, because scipy.stats.entropy renormalizes its
    # inputs and an implementation that does not would otherwise differ in the last bits.
    pairs = [
        ([0.25, 0.25, 0.25, 0.25], [0.625, 0.125, 0.125, 0.125]),  # uniform vs peaked
        ([0.625, 0.125, 0.125, 0.125], [0.25, 0.25, 0.25, 0.25]),  # peaked vs uniform
        ([0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]),          # p has zeros where q > 0
        ([0.5, 0.25, 0.25], [0.5, 0.5, 0.0]),                      # q has a zero where p > 0: KL is inf
        ([0.1, 0.2, 0.7], [0.1, 0.2, 0.7]),                        # identical
        ([1.0], [1.0]),                                            # length 1
    ]
    for p, q in pairs:
        assert sum(p) == 1.0, p
        assert sum(q) == 1.0, q
    return [divergence_entry(p, q) for p, q in pairs]


def psi_entry(expected, actual):
    """Population stability index with proportions floored at 1e-4 and not renormalized."""
    floored_expected = np.maximum(np.array(expected, dtype=np.float64), PSI_FLOOR)
    floored_actual = np.maximum(np.array(actual, dtype=np.float64), PSI_FLOOR)
    psi = np.sum((floored_actual - floored_expected) * np.log(floored_actual / floored_expected))
    return {"expected": expected, "actual": actual, "psi": number(psi)}


def psi_entries():
    return [
        psi_entry([0.25] * 4, [0.5, 0.5, 0.0, 0.0]),
        psi_entry([0.1, 0.2, 0.3, 0.4], [0.15, 0.25, 0.25, 0.35]),
        psi_entry([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]),
        psi_entry([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]),
    ]


# ---------------------------------------------------------------- main

def main():
    rng = np.random.default_rng(20260517)
    cases = build_cases(rng)
    ovo_checks, disagreements, seen_warnings = [], [], set()

    entries = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for case in cases:
            entries.append(case_entry(case, ovo_checks, disagreements))
            for warning in caught:
                seen_warnings.add(f"{case['name']}: {warning.category.__name__}: {str(warning.message).splitlines()[0]}")
            caught.clear()

    large = next(case for case in cases if case["name"] == "large")
    large_path = FIXTURES / LARGE_DATA_FILE
    write_large_csv(large_path, large["y_true"], large["probs"])

    fixture = {
        "sklearn_version": sklearn.__version__,
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "cases": entries,
        "divergences": divergence_entries(),
        "psi": psi_entries(),
    }
    out = FIXTURES / "metrics_grid.json"
    out.write_text(json.dumps(fixture, indent=1, allow_nan=False) + "\n", encoding="utf-8")

    print(f"wrote {out} ({len(entries)} cases, {out.stat().st_size:,} bytes; scikit-learn {sklearn.__version__}, "
          f"SciPy {scipy.__version__}, NumPy {np.__version__})")
    print(f"wrote {large_path} ({len(large['y_true']):,} rows, {large_path.stat().st_size:,} bytes)")
    print(f"cases: {', '.join(entry['name'] for entry in entries)}")
    failures = [message for _, message in ovo_checks if message is not None]
    print(f"OvO cross-checks: {len(ovo_checks)} cases ({', '.join(name for name, _ in ovo_checks)}), "
          f"{len(failures)} differ by more than {OVO_TOLERANCE}")
    for message in failures:
        print(f"  {message}")
    print(f"confidences that ceil(c * 15) - 1 puts in another bin than the (lower, upper] comparisons: "
          f"{sum(disagreements)} (the fixture uses the comparisons)")
    print(f"warnings raised and suppressed: {len(seen_warnings)}")
    for message in sorted(seen_warnings):
        print(f"  {message}")


if __name__ == "__main__":
    main()
