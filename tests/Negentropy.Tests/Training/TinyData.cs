using Negentropy.Data;

namespace Negentropy.Tests.Training;

/// <summary>Small generated image datasets whose classes a CNN can tell apart: class k brightens row band k.</summary>
public static class TinyData
{
    public static ImageDataset Create(int count, int classes = 3, int size = 28, int seed = 11)
    {
        var random = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new int[count];
        int band = size / classes;
        for (int i = 0; i < count; i++)
        {
            int label = random.Next(classes);
            labels[i] = label;
            for (int row = 0; row < size; row++)
            {
                for (int column = 0; column < size; column++)
                {
                    int noise = random.Next(60);
                    bool lit = row / band == label;
                    pixels[(i * size * size) + (row * size) + column] = (byte)(lit ? 180 + noise : noise);
                }
            }
        }
        string[] names = Enumerable.Range(0, classes).Select(k => $"band {k}").ToArray();
        return new ImageDataset(pixels, labels, 1, size, size, names);
    }
}
