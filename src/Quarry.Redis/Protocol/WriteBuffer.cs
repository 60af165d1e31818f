using System.Buffers;

namespace Quarry.Redis.Protocol;

/// <summary>A growable byte buffer rented from the shared array pool.</summary>
internal sealed class WriteBuffer
{
    private const int InitialSize = 4096;

    // Buffers that grew past this (one huge value) go back to the pool instead of staying pinned to the connection.
    private const int MaxRetainedSize = 256 * 1024;

    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    public Span<byte> GetSpan(int sizeHint)
    {
        if (_buffer.Length - Length < sizeHint)
        {
            Grow(sizeHint);
        }

        return _buffer.AsSpan(Length);
    }

    public void Advance(int count) => Length += count;

    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        Length += data.Length;
    }

    public void Truncate(int length) => Length = length;

    public void Reset()
    {
        Length = 0;
        if (_buffer.Length > MaxRetainedSize)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialSize);
        }
    }

    /// <summary>Gives the array back to the pool; a buffer never released is simply collected.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        Length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Grow(int sizeHint)
    {
        var required = (long)Length + sizeHint;
        var size = Math.Max(required, Math.Max(InitialSize, (long)_buffer.Length * 2));
        if (size > Array.MaxLength)
        {
            size = required <= Array.MaxLength ? Array.MaxLength : throw new InvalidOperationException("The command is too large to send.");
        }

        var larger = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, Length).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
