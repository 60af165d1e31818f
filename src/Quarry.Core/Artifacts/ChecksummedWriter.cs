using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Quarry.Core.Artifacts;

/// <summary>
/// Writes a binary artifact through a buffer and appends a SHA-256 of everything written, so a reader can
/// reject a damaged or half-written file before parsing it (see <see cref="ArtifactReader"/>).
/// </summary>
public sealed class ChecksummedWriter : IDisposable
{
    private const int FlushThreshold = 1 << 16;
    private readonly Stream _target;
    private readonly MemoryStream _buffer = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Writes to <paramref name="target"/>; the caller owns it.</summary>
    public ChecksummedWriter(Stream target)
    {
        ArgumentNullException.ThrowIfNull(target);
        _target = target;
        Writer = new BinaryWriter(_buffer, Encoding.UTF8, leaveOpen: true);
    }

    /// <summary>Little-endian writer into the buffer.</summary>
    public BinaryWriter Writer { get; }

    /// <summary>Moves the buffer to the target once it is large; call between records.</summary>
    public ValueTask FlushIfLargeAsync(CancellationToken cancellationToken) =>
        _buffer.Length >= FlushThreshold ? new ValueTask(FlushAsync(cancellationToken)) : ValueTask.CompletedTask;

    /// <summary>Writes many floats little-endian, flushing as it goes.</summary>
    public async Task WriteSinglesAsync(ReadOnlyMemory<float> values, CancellationToken cancellationToken)
    {
        const int Chunk = 16_384;
        for (var offset = 0; offset < values.Length; offset += Chunk)
        {
            var slice = values.Span.Slice(offset, Math.Min(Chunk, values.Length - offset));
            if (BitConverter.IsLittleEndian)
            {
                Writer.Write(MemoryMarshal.AsBytes(slice));
            }
            else
            {
                foreach (var value in slice)
                {
                    Writer.Write(value);
                }
            }

            await FlushIfLargeAsync(cancellationToken);
        }
    }

    /// <summary>Writes what is buffered, then the checksum.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        await _target.WriteAsync(_hash.GetHashAndReset(), cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Writer.Dispose();
        _buffer.Dispose();
        _hash.Dispose();
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        Writer.Flush();
        var bytes = _buffer.GetBuffer().AsMemory(0, (int)_buffer.Length);
        _hash.AppendData(bytes.Span);
        await _target.WriteAsync(bytes, cancellationToken);
        _buffer.SetLength(0);
    }
}
