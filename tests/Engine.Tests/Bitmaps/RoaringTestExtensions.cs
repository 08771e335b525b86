using Onboarding.Engine.Bitmaps;

namespace Onboarding.Engine.Tests.Bitmaps;

internal static class RoaringTestExtensions
{
    /// <summary>Serializes through <see cref="RoaringBitmap.Serialize(Stream)"/> and checks the announced size.</summary>
    public static byte[] ToPortableBytes(this RoaringBitmap bitmap)
    {
        using var stream = new MemoryStream();
        bitmap.Serialize(stream);
        byte[] bytes = stream.ToArray();
        Assert.True(bytes.Length == bitmap.SerializedSizeInBytes(), $"SerializedSizeInBytes {bitmap.SerializedSizeInBytes()}, wrote {bytes.Length}");
        return bytes;
    }
}
