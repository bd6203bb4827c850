using System.Buffers.Binary;
using System.IO.Compression;

namespace Fme.MLNet.Tests.Imaging;

/// <summary>Writes PNG files chunk by chunk, so that tests can craft headers and chunks no encoder would write.</summary>
internal static class PngChunks
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>A PNG of an 8-bit RGB header, then <paramref name="chunks"/>, then IEND.</summary>
    public static byte[] Png(int width, int height, params (string Type, byte[] Data)[] chunks)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        using var png = new MemoryStream();
        png.Write(Signature);
        Write(png, "IHDR", ihdr);
        foreach (var (type, data) in chunks)
        {
            Write(png, type, data);
        }
        Write(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>IDAT data of an RGB image whose rows are all <paramref name="row"/> (3 bytes a pixel), filter 0.</summary>
    public static byte[] RepeatedRows(byte[] row, int height) => Deflate(zlib =>
    {
        for (var y = 0; y < height; y++)
        {
            zlib.WriteByte(0);
            zlib.Write(row);
        }
    });

    /// <summary>A zTXt chunk whose text is <paramref name="bytes"/> spaces, compressed.</summary>
    public static byte[] CompressedText(string keyword, long bytes)
    {
        var block = new byte[1 << 20];
        Array.Fill(block, (byte)' ');
        var text = Deflate(zlib =>
        {
            for (var left = bytes; left > 0; left -= block.Length)
            {
                zlib.Write(block, 0, (int)Math.Min(left, block.Length));
            }
        });
        return [.. System.Text.Encoding.Latin1.GetBytes(keyword), 0, 0, .. text];
    }

    private static byte[] Deflate(Action<Stream> write)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            write(zlib);
        }
        return compressed.ToArray();
    }

    private static void Write(Stream stream, string type, byte[] data)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type, header.AsSpan(4));
        stream.Write(header);
        stream.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(Crc32(0xFFFFFFFFu, header.AsSpan(4)), data) ^ 0xFFFFFFFFu);
        stream.Write(crc);
    }

    // CRC-32 (ISO 3309, reflected polynomial 0xEDB88320), as PNG chunks use; a table keeps megabyte chunks fast.
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        var c = (uint)n;
        for (var k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        }
        return c;
    }).ToArray();

    private static uint Crc32(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }
}
