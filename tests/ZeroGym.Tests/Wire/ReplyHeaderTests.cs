using ZeroGym.Protocol.Messages;
using ZeroGym.Protocol.Wire;

namespace ZeroGym.Tests.Wire;

/// <summary>How a client reads a reply's id and kind before the reply itself (SPEC.md §2: an error is exactly {id, error}).</summary>
public sealed class ReplyHeaderTests
{
    [Fact]
    public void AnErrorReply_IsAnError_WithItsId()
    {
        var header = Read(new Dictionary<object, object?> { ["id"] = 7UL, ["error"] = new Dictionary<object, object?> { ["code"] = "invalid_action", ["message"] = "no" } });

        Assert.True(header.IsError);
        Assert.Equal(7UL, header.Id);
    }

    [Fact]
    public void AnErrorWhoseRequestCouldNotBeRead_HasANilId()
    {
        var header = Read(new Dictionary<object, object?> { ["id"] = null, ["error"] = new Dictionary<object, object?> { ["code"] = "malformed", ["message"] = "?" } });

        Assert.True(header.IsError);
        Assert.Null(header.Id);
    }

    [Fact]
    public void AShortResult_IsNoError()
    {
        var header = Read(new Dictionary<object, object?> { ["id"] = 3UL, ["handle"] = 1L });

        Assert.False(header.IsError);
        Assert.Equal(3UL, header.Id);
    }

    [Fact]
    public void ALongerResult_IsReadOnlyUpToItsId()
    {
        // The reply is cut inside its observation: a header read that went past the id would fail there.
        byte[] whole = WireValue.Serialize(new Dictionary<object, object?> { ["id"] = 9UL, ["obs"] = new byte[1000], ["reward"] = 1.0 });
        var cut = whole.AsMemory(0, 20);
        Assert.ThrowsAny<Exception>(() => ReplyHeader.Shape.Read(cut));

        var header = new ReplyHeader();
        ReplyHeader.Read(cut, header);

        Assert.False(header.IsError);
        Assert.Equal(9UL, header.Id);
    }

    [Fact]
    public void ALongerResultWithoutAnId_IsMalformed()
    {
        var error = Assert.Throws<MessageFormatException>(() => Read(new Dictionary<object, object?> { ["obs"] = 1L, ["reward"] = 1.0, ["done"] = false }));

        Assert.Contains("'id'", error.Message);
    }

    [Theory]
    [InlineData("8f")] // a map of 15 entries, none there
    [InlineData("df-7f-ff-ff-ff")] // a map declaring 2^31 - 1 entries
    [InlineData("")]
    public void ATruncatedReply_IsAWireDecodeError(string hex)
    {
        Assert.Throws<WireDecodeException>(() => ReplyHeader.Read(Hex.Parse(hex), new ReplyHeader()));
    }

    private static ReplyHeader Read(Dictionary<object, object?> reply)
    {
        var header = new ReplyHeader { Id = 12345, IsError = true }; // what a previous reply left
        ReplyHeader.Read(WireValue.Serialize(reply), header);
        return header;
    }
}
