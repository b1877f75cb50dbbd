namespace Negentropy.Data;

/// <summary>A message of the SpamAssassin corpus with the text that <see cref="MailText.ToText"/> extracted.</summary>
/// <param name="Group">The corpus group, such as <c>easy-ham-1</c> or <c>spam-2</c>.</param>
/// <param name="Id">The message number within its group, such as <c>00042</c>.</param>
/// <param name="Label"><c>ham</c> or <c>spam</c>.</param>
/// <param name="Text">The Subject, a blank line, then the body text.</param>
public sealed record SpamAssassinMessage(string Group, string Id, string Label, string Text);
