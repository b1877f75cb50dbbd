using Negentropy.Data;
using Negentropy.Information;
using TorchSharp;
using static TorchSharp.torch;

namespace Negentropy.Training;

/// <summary>Runs a model over a dataset in eval mode without gradients and collects its predictions.</summary>
public static class Evaluator
{
    public const int DefaultBatchSize = 500;

    /// <summary>Predicts every sample of <paramref name="data"/> in order; the model is left in eval mode.</summary>
    public static PredictionSet Predict(nn.Module<Tensor, Tensor> model, IBatchSource data, int numClasses, int batchSize = DefaultBatchSize)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        var probabilities = new double[checked(data.Count * numClasses)];
        var targets = new int[data.Count];
        int[] order = ImageTensors.EpochOrder(data.Count, seed: 0, epoch: 0, shuffle: false);
        double lossSum = 0;
        double entropySum = 0;

        for (int batch = 0; batch < data.BatchCount(batchSize); batch++)
        {
            using var scope = NewDisposeScope();
            (Tensor images, Tensor batchTargets) = data.Batch(order, batch, batchSize);
            Tensor logits = model.forward(images);
            // The softmax runs in float64 so that reported probabilities keep 9 significant digits.
            Tensor logProbs = LogProbabilities(logits.to_type(ScalarType.Float64));
            lossSum += nn.functional.nll_loss(logProbs, batchTargets, reduction: nn.Reduction.Sum).item<double>();
            entropySum += PredictiveEntropy.BitsFromLogProbs(logProbs).sum().item<double>();

            int start = batch * batchSize;
            logProbs.exp().data<double>().CopyTo(probabilities, start * numClasses);
            long[] batchLabels = batchTargets.data<long>().ToArray();
            for (int i = 0; i < batchLabels.Length; i++)
            {
                targets[start + i] = (int)batchLabels[i];
            }
        }

        double count = Math.Max(1, data.Count);
        return new PredictionSet(probabilities, targets, numClasses, lossSum / count, entropySum / count);
    }

    /// <summary>
    /// Returns log-probabilities [batch, classes]: a log-softmax of the logits, or for one logit z (a binary
    /// model) the pair (log σ(−z), log σ(z)).
    /// </summary>
    public static Tensor LogProbabilities(Tensor logits) => logits.shape[1] == 1
        ? torch.cat(new[] { nn.functional.logsigmoid(logits.neg()), nn.functional.logsigmoid(logits) }, 1)
        : nn.functional.log_softmax(logits, 1);
}
