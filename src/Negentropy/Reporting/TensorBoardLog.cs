using Negentropy.Information;
using Negentropy.Training;
using TorchSharp;
using TorchSharp.Modules;

namespace Negentropy.Reporting;

/// <summary>
/// Writes each epoch's metrics as TensorBoard events (TorchSharp's SummaryWriter, one event file per
/// process) under RUN/tensorboard, with stable tags: loss/train, loss/val, loss_bits/train,
/// loss_bits/val, accuracy/train, accuracy/val, entropy/val_mean, entropy/val_correct,
/// entropy/val_wrong, entropy/val_normalized, information/label_entropy, information/bits_learned,
/// calibration/ece, lr, norm/grad, norm/param, memory/rss_mb, and the histogram entropy/val. The step is the epoch number.
/// </summary>
public sealed class TensorBoardLog
{
    public const string FolderName = "tensorboard";

    private readonly SummaryWriter writer;

    public TensorBoardLog(string runFolder)
    {
        Folder = Path.Combine(runFolder, FolderName);
        Directory.CreateDirectory(Folder);
        writer = torch.utils.tensorboard.SummaryWriter(Folder);
    }

    public string Folder { get; }

    /// <summary>Appends the scalars of <paramref name="metrics"/> and the histogram of the lens's entropies; undefined figures are left out.</summary>
    public void Write(EpochMetrics metrics, EntropyLens lens)
    {
        int step = metrics.Epoch;
        void Scalar(string tag, double? value)
        {
            if (value is double number && double.IsFinite(number))
            {
                writer.add_scalar(tag, (float)number, step);
            }
        }

        Scalar("loss/train", metrics.TrainLoss);
        Scalar("loss/val", metrics.ValidationLoss);
        Scalar("loss_bits/train", metrics.TrainLossBits);
        Scalar("loss_bits/val", metrics.ValidationLossBits);
        Scalar("accuracy/train", metrics.TrainAccuracy);
        Scalar("accuracy/val", metrics.ValidationAccuracy);
        Scalar("entropy/val_mean", metrics.ValidationMeanEntropyBits);
        Scalar("entropy/val_correct", metrics.ValidationEntropyCorrectBits);
        Scalar("entropy/val_wrong", metrics.ValidationEntropyWrongBits);
        Scalar("entropy/val_normalized", metrics.ValidationNormalizedEntropy);
        Scalar("information/label_entropy", metrics.LabelEntropyBits);
        Scalar("information/bits_learned", metrics.BitsLearned);
        Scalar("calibration/ece", metrics.ValidationEce);
        Scalar("lr", metrics.LearningRate);
        Scalar("norm/grad", metrics.GradientNorm);
        Scalar("norm/param", metrics.ParameterNorm);
        Scalar("memory/rss_mb", metrics.ResidentMiB);

        if (lens.EntropyBits.Length > 0)
        {
            using torch.Tensor entropies = torch.tensor(lens.EntropyBits.Select(bits => (float)bits).ToArray());
            writer.add_histogram("entropy/val", entropies, step);
        }
    }
}
