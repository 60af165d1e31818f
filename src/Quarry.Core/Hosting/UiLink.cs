namespace Quarry.Core.Hosting;

/// <summary>A page of the web UI that a capability contributes to the home page and navigation.</summary>
/// <param name="Title">Link text.</param>
/// <param name="Path">Site-relative address of the page.</param>
/// <param name="Description">One line shown on the home page.</param>
/// <param name="Order">Position in the navigation, lowest first.</param>
public sealed record UiLink(string Title, string Path, string Description, int Order = 100);
