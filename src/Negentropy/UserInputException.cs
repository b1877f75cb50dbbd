namespace Negentropy;

/// <summary>
/// An error in what the caller supplied: a path, a file's content or an option value.
/// The message is one line for the end user: what is wrong, with which value, and what to do.
/// </summary>
public sealed class UserInputException : Exception
{
    public UserInputException(string message)
        : base(message)
    {
    }

    public UserInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
