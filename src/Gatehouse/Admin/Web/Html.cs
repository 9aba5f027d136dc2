using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;

namespace Gatehouse.Admin.Web;

/// <summary>
/// A piece of HTML. <see cref="Of"/> takes an interpolated string whose every hole is HTML-encoded unless it is itself
/// <see cref="Html"/>, so a value from the store or the request cannot become markup by a forgotten call (the class of
/// bug behind stored cross-site scripting in admin consoles).
/// </summary>
internal readonly struct Html
{
    private readonly string? _value;

    private Html(string value) => _value = value;

    public static Html Empty => default;

    public static Html Of(ref Builder builder) => builder.Build();

    public static Html Join(IEnumerable<Html> parts) => new(string.Concat(parts.Select(part => part._value)));

    /// <summary>Markup this program generated itself (never from input): the enrolment QR code.</summary>
    public static Html Generated(string markup) => new(markup);

    public override string ToString() => _value ?? string.Empty;

    [InterpolatedStringHandler]
    public readonly ref struct Builder
    {
        private readonly StringBuilder _text;

        public Builder(int literalLength, int formattedCount) => _text = new StringBuilder(literalLength + (formattedCount * 16));

        public void AppendLiteral(string literal) => _text.Append(literal);

        public void AppendFormatted(Html html) => _text.Append(html._value);

        public void AppendFormatted<T>(T value) => AppendFormatted(value, null);

        public void AppendFormatted<T>(T value, string? format) =>
            _text.Append(HtmlEncoder.Default.Encode(value is IFormattable formattable ? formattable.ToString(format, CultureInfo.InvariantCulture) : value?.ToString() ?? string.Empty));

        internal Html Build() => new(_text.ToString());
    }
}
