using System.Text.Json.Nodes;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>A refusal as the API server sends it: a <c>v1 Status</c> object with the HTTP code, reason and details.</summary>
internal sealed class FakeStatusException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public JsonObject ToJson() => FakeStatus.Body(Code, reason, Message, details);
}

/// <summary>Builders for the API server's <c>Status</c> bodies.</summary>
internal static class FakeStatus
{
    public static JsonObject Body(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    public static FakeStatusException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static FakeStatusException Forbidden(string user, string verb, string resource, string group, string? ns, string? name = null)
    {
        var what = name is null ? resource : $"{resource} \"{name}\"";
        var scope = ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\"";
        var groupName = group.Length == 0 ? resource : $"{resource}.{group}";
        return new FakeStatusException(403, "Forbidden",
            $"{(name is null ? groupName : what)} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{group}\" {scope}",
            new JsonObject { ["group"] = group, ["kind"] = resource.Split('/')[0] });
    }

    public static FakeStatusException NotFound(string kind, string name, string group = "") =>
        new(404, "NotFound", $"{(group.Length == 0 ? kind : kind + "." + group)} \"{name}\" not found",
            new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind });

    public static FakeStatusException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>422 Invalid with one cause per field error, as field validation reports them.</summary>
    public static FakeStatusException Invalid(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = e.Reason, ["message"] = e.Message, ["field"] = e.Field });
        }

        var list = string.Join(", ", errors.Select(e => $"{e.Field}: {e.Message}"));
        return new FakeStatusException(422, "Invalid", $"{kind}.{group} \"{name}\" is invalid: {(errors.Count == 1 ? list : $"[{list}]")}",
            new JsonObject { ["name"] = name, ["group"] = group, ["kind"] = kind, ["causes"] = causes });
    }

    public static JsonObject Expired(long asked, long oldest) =>
        Body(410, "Expired", $"too old resource version: {asked} ({oldest})");
}

/// <summary>One field's error in a 422 answer.</summary>
internal sealed record FieldError(string Field, string Reason, string Message)
{
    public static FieldError Required(string field, string? detail = null) =>
        new(field, "FieldValueRequired", detail is null ? "Required value" : $"Required value: {detail}");

    public static FieldError Invalid(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: \"{value}\": {detail}");

    public static FieldError Unsupported(string field, string value, params string[] supported) =>
        new(field, "FieldValueNotSupported",
            $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => $"\"{s}\""))}");
}
