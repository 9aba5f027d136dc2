using System.Net;
using System.Text;
using Gatehouse.Protocol.Proxy;

namespace Gatehouse.Protocol.Tests;

public sealed class ProxyHeaderParserTests
{
    private static readonly byte[] Version2Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static byte[] Version2(byte command, byte family, byte[] addresses)
    {
        byte[] header = [.. Version2Signature, (byte)(0x20 | command), family, (byte)(addresses.Length >> 8), (byte)addresses.Length];
        return [.. header, .. addresses];
    }

    [Fact]
    public void Version1_tcp4_names_the_client_and_leaves_the_bytes_behind_it()
    {
        var data = Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.7 192.0.2.1 40000 2121\r\nUSER alice\r\n");
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse(data, out var header, out var consumed, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000), header!.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 2121), header.Destination);
        Assert.Equal("USER alice\r\n", Encoding.ASCII.GetString(data, consumed, data.Length - consumed));
    }

    [Fact]
    public void Version1_tcp6_and_unknown()
    {
        var data = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::7 2001:db8::1 40000 21\r\n");
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse(data, out var header, out _, out _));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), header!.Source!.Address);

        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse("PROXY UNKNOWN\r\n"u8, out header, out var consumed, out _));
        Assert.Null(header!.Source);
        Assert.Equal(15, consumed);
    }

    [Theory]
    [InlineData("PROXY TCP4 198.51.100.7 192.0.2.1 40000\r\n")]
    [InlineData("PROXY TCP4 2001:db8::7 192.0.2.1 40000 21\r\n")]
    [InlineData("PROXY TCP4 198.51.100.7 192.0.2.1 70000 21\r\n")]
    [InlineData("PROXY TCP4 198.51.100.7 192.0.2.1 -1 21\r\n")]
    [InlineData("PROXY UDP4 198.51.100.7 192.0.2.1 1 21\r\n")]
    [InlineData("USER alice\r\n")]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001")]
    public void Malformed_or_absent_headers_are_invalid(string text)
    {
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.TryParse(Encoding.Latin1.GetBytes(text), out _, out _, out var error));
        Assert.NotEmpty(error);
    }

    [Fact]
    public void A_version1_line_without_an_end_is_invalid_once_it_exceeds_the_maximum()
    {
        var partial = Encoding.ASCII.GetBytes("PROXY TCP4 198.51.100.7 ");
        Assert.Equal(ProxyParseStatus.NeedMoreData, ProxyHeaderParser.TryParse(partial, out _, out _, out _));
        var endless = Encoding.ASCII.GetBytes("PROXY " + new string('1', ProxyHeaderParser.MaxVersion1Length));
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.TryParse(endless, out _, out _, out _));
    }

    [Fact]
    public void Version2_ipv4_and_ipv6()
    {
        byte[] v4 = [198, 51, 100, 7, 192, 0, 2, 1, 0x9C, 0x40, 0x08, 0x49];
        var data = Version2(1, 0x11, v4);
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse([.. data, 0x16, 0x03], out var header, out var consumed, out _));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.7"), 40000), header!.Source);
        Assert.Equal(2121, header.Destination!.Port);
        Assert.Equal(data.Length, consumed);

        var v6 = new byte[36];
        IPAddress.Parse("2001:db8::7").GetAddressBytes().CopyTo(v6, 0);
        IPAddress.Parse("2001:db8::1").GetAddressBytes().CopyTo(v6, 16);
        v6[33] = 21;
        v6[35] = 21;
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse(Version2(1, 0x21, v6), out header, out _, out _));
        Assert.Equal(IPAddress.Parse("2001:db8::7"), header!.Source!.Address);
    }

    [Fact]
    public void Version2_local_command_and_tlvs_after_the_addresses()
    {
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse(Version2(0, 0x00, []), out var header, out _, out _));
        Assert.Null(header!.Source);

        byte[] withTlv = [198, 51, 100, 7, 192, 0, 2, 1, 0, 1, 0, 2, 0x04, 0x00, 0x01, 0xAA];
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.TryParse(Version2(1, 0x11, withTlv), out header, out var consumed, out _));
        Assert.Equal(IPAddress.Parse("198.51.100.7"), header!.Source!.Address);
        Assert.Equal(16 + withTlv.Length, consumed);
    }

    [Fact]
    public void Version2_incomplete_oversized_or_of_another_transport()
    {
        var data = Version2(1, 0x11, [198, 51, 100, 7, 192, 0, 2, 1, 0, 1, 0, 2]);
        Assert.Equal(ProxyParseStatus.NeedMoreData, ProxyHeaderParser.TryParse(data.AsSpan(0, 20), out _, out _, out _));
        Assert.Equal(ProxyParseStatus.NeedMoreData, ProxyHeaderParser.TryParse(data.AsSpan(0, 10), out _, out _, out _));
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.TryParse(Version2(1, 0x11, new byte[ProxyHeaderParser.MaxVersion2AddressLength + 1]), out _, out _, out _));
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.TryParse(Version2(1, 0x12, new byte[12]), out _, out _, out _));
        Assert.Equal(ProxyParseStatus.Invalid, ProxyHeaderParser.TryParse(Version2(1, 0x11, new byte[4]), out _, out _, out _));
    }
}
