#!/usr/bin/env python3
"""Write the golden drift statistics that the monitoring tests compare against.

Run with Debian's python3-scipy and python3-numpy, which are the reference oracles and are never used at run time:

    /usr/bin/python3 tools/golden/make_drift_fixture.py

It writes tests/Negentropy.Tests/Fixtures/drift_golden.json with two lists:

- "ks": two-sample Kolmogorov-Smirnov cases. "statistic" is scipy.stats.ks_2samp's D with the default
  method: the exact fraction h / lcm(m, n) when neither sample has more than 10,000 values, and the
  difference of two rounded quotients above that (the "above exact size" case covers it). "p_value" is the two-sided p-value of the Kolmogorov limiting distribution,
  scipy.stats.kstwobign.sf(sqrt(m*n/(m+n)) * D), which is what Negentropy reports. This is not
  ks_2samp(method="asymp"): SciPy 1.10 evaluates the finite-n distribution kstwo at round(m*n/(m+n)) there.
- "drift_scores": a monitoring reference, a window of predictions and the scores of the window against it.
  The scores are the class PSI in nats with proportions floored at 1e-4 and the class Jensen-Shannon
  divergence in bits (scipy.spatial.distance.jensenshannon squared). Then come the entropy PSI over the
  reference's entropy bins, the entropy KS statistic and p-value against the reference's entropy sample,
  the mean entropy and the abstention rate.

Floats are written with Python's repr, so they parse back to the same doubles.
"""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy.spatial.distance import jensenshannon
from scipy.stats import ks_2samp, kstwobign

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "tests/Negentropy.Tests/Fixtures"
PSI_FLOOR = 1e-4


def kolmogorov_p_value(d, m, n):
    """Return the two-sided p-value of D under the Kolmogorov limiting distribution."""
    m, n = float(m), float(n)
    effective_n = m * n / (m + n)
    return float(kstwobign.sf(math.sqrt(effective_n) * d))


def ks_case(name, a, b):
    a = [float(x) for x in a]
    b = [float(x) for x in b]
    d = float(ks_2samp(a, b).statistic)
    return {"name": name, "a": a, "b": b, "statistic": d, "p_value": kolmogorov_p_value(d, len(a), len(b))}


def ks_cases(rng):
    normal_200 = rng.normal(0.0, 1.0, 200)
    shifted_150 = rng.normal(0.3, 1.0, 150)
    rounded_a = np.round(rng.normal(0.0, 1.0, 300), 1)
    rounded_b = np.round(rng.normal(0.1, 1.2, 170), 1)
    large_a = rng.exponential(1.0, 3000)
    large_b = rng.exponential(1.1, 2500)
    above_exact_a = np.round(rng.normal(0.0, 1.0, 12000), 2)
    above_exact_b = np.round(rng.normal(0.05, 1.0, 3000), 2)
    return [
        ks_case("identical", [0.1, 0.5, 0.5, 0.9], [0.1, 0.5, 0.5, 0.9]),
        ks_case("disjoint", [0.0, 0.1, 0.2], [1.0, 1.1, 1.2, 1.3, 1.4]),
        ks_case("disjoint reversed", [5.0, 6.0], [1.0, 2.0, 3.0]),
        ks_case("ties across samples", [0, 0, 1, 1, 1, 2, 2, 3], [0, 1, 1, 2, 2, 2, 3, 3, 3, 4]),
        ks_case("all equal values", [1.5, 1.5, 1.5], [1.5, 1.5]),
        ks_case("size one each", [0.3], [0.7]),
        ks_case("size one against many", [0.45], list(np.linspace(0.0, 1.0, 21))),
        ks_case("unsorted input", [3.0, 1.0, 2.0, 0.5, 2.5], [2.2, 0.1, 1.9, 4.0]),
        ks_case("negative and zero", [-1.0, -0.0, 0.0, 2.0], [-2.0, 0.0, 1.0]),
        ks_case("normal vs shifted", normal_200, shifted_150),
        ks_case("rounded with ties", rounded_a, rounded_b),
        ks_case("large exponential", large_a, large_b),
        ks_case("above exact size", above_exact_a, above_exact_b),
        ks_case("thirds", [0.0, 1.0, 2.0], [0.5, 1.5, 2.5, 3.5, 4.5, 5.5]),
    ]


def psi(expected, actual):
    e = np.maximum(np.asarray(expected, dtype=float), PSI_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), PSI_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def drift_case(name, rng, num_classes, reference_shares, window_shares, reference_size, window_size):
    """Build a reference from a sampled validation split, then score a sampled window against it."""
    reference_classes = rng.choice(num_classes, size=reference_size, p=reference_shares)
    reference_entropies = np.sort(np.round(rng.gamma(2.0, 0.25, reference_size), 3))
    # Nearest-rank deciles without duplicates or the maximum, as MonitoringReference.FromProbabilities bins them.
    ranks = [-(-d * reference_size // 10) - 1 for d in range(1, 10)]
    edges = np.unique(reference_entropies[ranks])
    edges = edges[edges < reference_entropies[-1]]
    reference_bins = np.searchsorted(edges, reference_entropies, side="left")
    reference_class_shares = np.bincount(reference_classes, minlength=num_classes) / reference_size
    reference_bin_shares = np.bincount(reference_bins, minlength=len(edges) + 1) / reference_size

    window_classes = rng.choice(num_classes, size=window_size, p=window_shares)
    window_entropies = np.round(rng.gamma(2.4, 0.25, window_size), 3)
    window_abstain = window_entropies > 1.0
    window_class_shares = np.bincount(window_classes, minlength=num_classes) / window_size
    window_bins = np.searchsorted(edges, window_entropies, side="left")
    window_bin_shares = np.bincount(window_bins, minlength=len(edges) + 1) / window_size
    ks = ks_2samp(window_entropies, reference_entropies)

    return {
        "name": name,
        "reference": {
            "count": reference_size,
            "class_names": [f"c{k}" for k in range(num_classes)],
            "class_shares": [float(x) for x in reference_class_shares],
            "entropy_bin_edges": [float(x) for x in edges],
            "entropy_bin_shares": [float(x) for x in reference_bin_shares],
            "entropy_sample": [float(x) for x in reference_entropies],
            "mean_entropy_bits": float(np.mean(reference_entropies)),
            "abstention_rate": float(np.mean(reference_entropies > 1.0)),
        },
        "window": {
            "class_indexes": [int(x) for x in window_classes],
            "entropies_bits": [float(x) for x in window_entropies],
            "abstain": [bool(x) for x in window_abstain],
        },
        "expected": {
            "class_psi": psi(reference_class_shares, window_class_shares),
            "class_js": float(jensenshannon(reference_class_shares, window_class_shares, base=2) ** 2),
            "entropy_psi": psi(reference_bin_shares, window_bin_shares),
            "entropy_ks": float(ks.statistic),
            "entropy_ks_p": kolmogorov_p_value(float(ks.statistic), window_size, reference_size),
            "mean_entropy": float(np.mean(window_entropies)),
            "abstention_rate": float(np.mean(window_abstain)),
            "class_shares": [float(x) for x in window_class_shares],
        },
    }


def main():
    rng = np.random.default_rng(20240611)
    fixture = {
        "scipy_version": scipy.__version__,
        "numpy_version": np.__version__,
        "ks": ks_cases(rng),
        "drift_scores": [
            drift_case("stable", rng, 3, [0.5, 0.3, 0.2], [0.5, 0.3, 0.2], 2000, 500),
            drift_case("shifted with an empty class", rng, 4, [0.4, 0.3, 0.2, 0.1], [0.7, 0.3, 0.0, 0.0], 1500, 300),
        ],
    }
    out = FIXTURES / "drift_golden.json"
    out.write_text(json.dumps(fixture, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(fixture['ks'])} KS cases, {len(fixture['drift_scores'])} drift cases, "
          f"{out.stat().st_size:,} bytes; SciPy {scipy.__version__}, NumPy {np.__version__})")
    for case in fixture["ks"]:
        print(f"  {case['name']}: D={case['statistic']!r} p={case['p_value']!r}")


if __name__ == "__main__":
    main()
