using System.Text;
using Negentropy.Data;
using Xunit;

namespace Negentropy.Tests.Data;

public sealed class MailTextTests
{
    private static string Text(string message) => MailText.ToText(Encoding.Latin1.GetBytes(message));

    private static string Text(byte[] message) => MailText.ToText(message);

    private static string Base64(string text, Encoding encoding) => Convert.ToBase64String(encoding.GetBytes(text));

    [Fact]
    public void PlainMessage_SubjectBlankLineBody()
    {
        string text = Text("From: a@example.org\nSubject: Lunch\nTo: b@example.org\n\nSee you at noon.\n");

        Assert.Equal("Lunch\n\nSee you at noon.", text);
    }

    [Fact]
    public void FoldedSubject_IsUnfolded()
    {
        string text = Text("Subject: a very long\n  subject line\n\tthat folds twice\nX-Other: value\n\nBody\n");

        Assert.Equal("a very long subject line that folds twice\n\nBody", text);
    }

    [Fact]
    public void FoldedHeaders_AreNotInBody()
    {
        string text = Text("Received: from host\n\tby relay; Thu, 22 Aug 2002\nSubject: s\n\nonly this\n");

        Assert.Equal("s\n\nonly this", text);
    }

    [Fact]
    public void CrlfMessage_GivesLfText()
    {
        string text = Text("Subject: Hello\r\nContent-Type: text/plain\r\n\r\nline one\r\nline two\r\n\r\n\r\n\r\nline three\r\n");

        Assert.Equal("Hello\n\nline one\nline two\n\nline three", text);
        Assert.DoesNotContain('\r', text);
    }

    [Fact]
    public void MissingSubject_GivesBodyOnly()
    {
        Assert.Equal("just a body", Text("From: a@example.org\n\njust a body\n"));
    }

    [Fact]
    public void EmptyBody_GivesSubjectOnly()
    {
        Assert.Equal("only a subject", Text("Subject: only a subject\n\n\n"));
    }

    [Fact]
    public void MessageWithoutBlankLine_HasNoBody()
    {
        Assert.Equal("headers only", Text("Subject: headers only\nFrom: a@example.org"));
    }

    [Fact]
    public void MboxFromLine_IsSkipped()
    {
        string text = Text("From someone@example.org  Thu Aug 22 12:36:23 2002\nReturn-Path: <x@example.org>\nSubject: s\n\nbody\n");

        Assert.Equal("s\n\nbody", text);
    }

    [Fact]
    public void EncodedWordSubject_IsDecoded()
    {
        string subject = $"=?utf-8?B?{Base64("Grüße ", Encoding.UTF8)}?=\n =?iso-8859-1?Q?caf=E9_cr=E8me?= and more";

        Assert.Equal("Grüße café crème and more\n\nb", Text($"Subject: {subject}\n\nb\n"));
    }

    [Fact]
    public void EightBitSubject_UsesMessageCharset()
    {
        Encoding gbk = MailCharset.Resolve("gbk")!;
        byte[] message = [.. Encoding.ASCII.GetBytes("Subject: "), .. gbk.GetBytes("退款申请"), .. Encoding.ASCII.GetBytes("\nContent-Type: text/plain; charset=gbk\n\n"), .. gbk.GetBytes("请问怎么退款"), (byte)'\n'];

        Assert.Equal("退款申请\n\n请问怎么退款", Text(message));
    }

    [Fact]
    public void Base64Body_IsDecodedWithCharset()
    {
        string body = Base64("中文正文，第一行\n第二行", MailCharset.Resolve("gb2312")!);
        string message = $"Subject: s\nContent-Type: text/plain; charset=\"gb2312\"\nContent-Transfer-Encoding: base64\n\n{body[..20]}\n{body[20..]}\n";

        Assert.Equal("s\n\n中文正文，第一行\n第二行", Text(message));
    }

    [Fact]
    public void Base64Body_StopsAtFooter()
    {
        string message = $"Subject: s\nContent-Transfer-Encoding: base64\n\n{Base64("decoded text", Encoding.ASCII)}\n\n-- \nList footer: unsubscribe here\n";

        Assert.Equal("s\n\ndecoded text", Text(message));
    }

    [Fact]
    public void QuotedPrintableBody_IsDecoded()
    {
        string message = "Subject: s\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n" +
            "Caf=E9 au lait, a soft=\nly broken line, an equals sign =3D and a stray = sign.\n";

        Assert.Equal("s\n\nCafé au lait, a softly broken line, an equals sign = and a stray = sign.", Text(message));
    }

    [Fact]
    public void HtmlBody_IsStripped()
    {
        string message = "Subject: offer\nContent-Type: text/html\n\n<html><head><style>p { color: red }</style><script>var x = 1;</script></head>" +
            "<body><!-- hidden --><p>Buy <b>now</b> &amp; save&nbsp;50%</p>\n<table><tr><td>cell one</td><td>cell two</td></tr></table>a &lt; b<br>next line</body></html>\n";

        string text = Text(message);

        Assert.Equal("offer\n\nBuy now & save 50%\n\ncell one cell two\n\na < b\nnext line", text);
    }

    [Fact]
    public void MultipartAlternative_TakesPlainPart()
    {
        string message = "Subject: alt\nContent-Type: multipart/alternative; boundary=\"XYZ\"\n\npreamble\n--XYZ\n" +
            "Content-Type: text/html\n\n<p>html version</p>\n--XYZ\nContent-Type: text/plain\n\nplain version\n--XYZ--\nepilogue\n";

        Assert.Equal("alt\n\nplain version", Text(message));
    }

    [Fact]
    public void MultipartAlternative_FallsBackToHtml()
    {
        string message = "Subject: alt\nContent-Type: multipart/alternative; boundary=XYZ\n\n--XYZ\n" +
            "Content-Type: text/plain\n\n\n--XYZ\nContent-Type: text/html\n\n<p>html only</p>\n--XYZ--\n";

        Assert.Equal("alt\n\nhtml only", Text(message));
    }

    [Fact]
    public void MultipartMixed_TakesTextPartsAndSkipsImages()
    {
        string message = "Subject: mixed\r\nContent-Type: multipart/mixed;\r\n boundary=\"=_b1\"\r\n\r\n--=_b1\r\n" +
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + Base64("first part ✓", Encoding.UTF8) + "\r\n" +
            "--=_b1\r\nContent-Type: image/gif; name=\"a.gif\"\r\nContent-Transfer-Encoding: base64\r\n\r\nR0lGODlhAQABAAAAACw=\r\n" +
            "--=_b1\r\nContent-Type: multipart/alternative; boundary=\"=_b2\"\r\n\r\n--=_b2\r\nContent-Type: text/plain\r\n\r\nnested plain\r\n" +
            "--=_b2\r\nContent-Type: text/html\r\n\r\n<p>nested html</p>\r\n--=_b2--\r\n--=_b1--\r\n";

        Assert.Equal("mixed\n\nfirst part ✓\n\nnested plain", Text(message));
    }

    [Fact]
    public void MultipartWithoutBoundary_IsReadAsText()
    {
        string message = "Subject: broken\nContent-Type: multipart/mixed\n\nthe whole body\n";

        Assert.Equal("broken\n\nthe whole body", Text(message));
    }

    [Fact]
    public void UnclosedMultipart_KeepsLastPart()
    {
        string message = "Subject: cut\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\npart one\n--B\n\npart two, cut off";

        Assert.Equal("cut\n\npart one\n\npart two, cut off", Text(message));
    }

    [Fact]
    public void AttachedMessage_ContributesSubjectAndBody()
    {
        string message = "Subject: Fwd: news\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\n\nsee below\n" +
            "--B\nContent-Type: message/rfc822\n\nSubject: inner subject\nFrom: c@example.org\n\ninner body\n--B--\n";

        Assert.Equal("Fwd: news\n\nsee below\n\ninner subject\n\ninner body", Text(message));
    }

    [Fact]
    public void EightBitBody_UsesDeclaredCharsetOrUtf8()
    {
        byte[] latin1 = [.. Encoding.ASCII.GetBytes("Subject: s\nContent-Type: text/plain; charset=iso-8859-1\n\n"), .. Encoding.Latin1.GetBytes("naïve résumé\n")];
        byte[] mislabeledUtf8 = [.. Encoding.ASCII.GetBytes("Subject: s\nContent-Type: text/plain; charset=iso-8859-1\n\n"), .. Encoding.UTF8.GetBytes("naïve résumé\n")];
        byte[] undeclared = [.. Encoding.ASCII.GetBytes("Subject: s\n\n"), 0x93, .. "quoted"u8, 0x94, (byte)'\n'];

        Assert.Equal("s\n\nnaïve résumé", Text(latin1));
        Assert.Equal("s\n\nnaïve résumé", Text(mislabeledUtf8));
        Assert.Equal("s\n\n\u201Cquoted\u201D", Text(undeclared));
    }

    [Theory]
    [InlineData("iso-2022-jp", "日本語のメール")]
    [InlineData("big5", "繁體中文郵件")]
    [InlineData("\"GB2312\"", "简体中文邮件")]
    [InlineData("koi8-r", "Русское письмо")]
    [InlineData("windows-1251", "Русское письмо")]
    [InlineData("ks_c_5601-1987", "한국어 메일")]
    [InlineData("chinesebig5", "繁體中文郵件")]
    public void Decode_ConvertsDeclaredCharset(string charset, string text)
    {
        Encoding encoding = MailCharset.Resolve(charset)!;

        Assert.Equal(text, MailCharset.Decode(encoding.GetBytes(text), charset));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("unknown-8bit")]
    [InlineData("x-no-such-charset")]
    [InlineData("utf-7")]
    public void Resolve_UnusableCharsetGivesNull(string? charset)
    {
        Assert.Null(MailCharset.Resolve(charset));
    }

    [Fact]
    public void ControlCharacters_BecomeSpaces()
    {
        Assert.Equal("s\n\na b c", Text("Subject: s\n\n\u0001a\u0000b\tc\u001c\n"));
    }

    [Fact]
    public void Normalize_CollapsesBlankLinesAndTrims()
    {
        string text = "\n\n  a  \r\n\r\n\n\r b\n  c   \n\n";

        Assert.Equal("a\n\n b\n  c", MailText.Normalize(text));
    }

    [Fact]
    public void Base64_DecodesUnpaddedTail()
    {
        Assert.Equal("ab", Encoding.ASCII.GetString(TransferDecoding.DecodeBase64("YWI"u8)));
        Assert.Equal("abc", Encoding.ASCII.GetString(TransferDecoding.DecodeBase64("YWJj\r\n"u8)));
    }

    [Fact]
    public void ContentTypeParameter_ReadsQuotedValues()
    {
        MimeEntity entity = MimeEntity.Parse(Encoding.ASCII.GetBytes("Content-Type: Multipart/Mixed; charset=UTF-8;\n boundary=\"a;b=c\"\n\n"));

        Assert.Equal("multipart/mixed", entity.MediaType);
        Assert.Equal("a;b=c", entity.ContentTypeParameter("boundary"));
        Assert.Equal("UTF-8", entity.ContentTypeParameter("CHARSET"));
        Assert.Null(entity.ContentTypeParameter("name"));
    }
}
