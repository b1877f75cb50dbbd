namespace Negentropy.Serving;

/// <summary>Why a predict request was rejected: an HTTP status, a reason for the metrics, and one line for the client.</summary>
/// <param name="Status">400 or 413.</param>
/// <param name="Reason">A short metric label such as "malformed_json" or "wrong_pixel_count".</param>
/// <param name="Detail">What is wrong and what to send instead, naming the input's index when there is one.</param>
/// <param name="InputIndex">The index in "inputs" of the offending input, or null.</param>
public sealed record InputError(int Status, string Reason, string Detail, int? InputIndex = null);
