using static TorchSharp.torch;

namespace Negentropy.Information;

/// <summary>Shannon entropy of predictive distributions, in bits.</summary>
public static class PredictiveEntropy
{
    /// <summary>Returns H(p) = −Σ p·log₂ p per row of <paramref name="logProbs"/> [B, K], as [B].</summary>
    /// <remarks>Log-probabilities keep the result finite: a probability that underflows to 0 contributes 0·finite = 0.</remarks>
    public static Tensor BitsFromLogProbs(Tensor logProbs)
    {
        using Tensor probs = logProbs.exp();
        using Tensor products = probs.mul(logProbs);
        using Tensor nats = products.sum(1);
        return nats.mul(-1.0 / Math.Log(2));
    }
}
