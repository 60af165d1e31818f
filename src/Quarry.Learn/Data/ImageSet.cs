namespace Quarry.Learn.Data;

/// <summary>Labelled greyscale images, one byte per pixel, row-major; the input of the digit networks.</summary>
public sealed class ImageSet
{
    /// <summary>Wraps checked arrays; use <see cref="Load"/> to read idx files.</summary>
    public ImageSet(byte[] pixels, byte[] labels, int rows, int columns, int classes)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if ((long)labels.Length * rows * columns != pixels.Length)
        {
            throw new ArgumentException($"{labels.Length} labels need {(long)labels.Length * rows * columns} pixels, found {pixels.Length}", nameof(pixels));
        }

        Pixels = pixels;
        Labels = labels;
        Rows = rows;
        Columns = columns;
        Classes = classes;
    }

    /// <summary>All pixels, image after image.</summary>
    public byte[] Pixels { get; }

    /// <summary>The class of each image, 0 to <see cref="Classes"/> − 1.</summary>
    public byte[] Labels { get; }

    /// <summary>Image height.</summary>
    public int Rows { get; }

    /// <summary>Image width.</summary>
    public int Columns { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of images.</summary>
    public int Count => Labels.Length;

    /// <summary>Pixels of one image.</summary>
    public int ImageSize => Rows * Columns;

    /// <summary>Reads an image file (3 dimensions) and its label file (1 dimension); a mismatch names both files.</summary>
    public static ImageSet Load(string imagesPath, string labelsPath, int classes = 10)
    {
        var images = IdxArray.Read(imagesPath, 3);
        var labels = IdxArray.Read(labelsPath, 1);
        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new InvalidDataException(
                $"{imagesPath} holds {images.Dimensions[0]:N0} images but {labelsPath} holds {labels.Dimensions[0]:N0} labels");
        }

        for (var i = 0; i < labels.Values.Length; i++)
        {
            if (labels.Values[i] >= classes)
            {
                throw new InvalidDataException($"{labelsPath}: label {labels.Values[i]} at index {i} is not a class from 0 to {classes - 1}");
            }
        }

        return new ImageSet(images.Values, labels.Values, images.Dimensions[1], images.Dimensions[2], classes);
    }
}
