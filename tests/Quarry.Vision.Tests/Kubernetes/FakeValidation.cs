using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Quarry.Vision.Tests.Kubernetes;

/// <summary>The API server's checks of a <c>batch/v1</c> Job that this fake applies (a subset of the real validation, same messages).</summary>
internal static partial class FakeValidation
{
    /// <summary>Field errors of <paramref name="job"/> (empty when valid). Invalid quantities throw 400 as the real decoder does.</summary>
    public static List<FieldError> Job(JsonObject job, string name)
    {
        var errors = new List<FieldError>();
        Name(name, "metadata.name", errors, maxLength: 63);
        Labels(job["metadata"]?["labels"] as JsonObject, "metadata.labels", errors);
        var spec = job["spec"] as JsonObject;
        if (spec is null)
        {
            errors.Add(FieldError.Required("spec.template.spec.containers"));
            return errors;
        }

        NonNegative(spec, "backoffLimit", "spec.backoffLimit", errors);
        NonNegative(spec, "ttlSecondsAfterFinished", "spec.ttlSecondsAfterFinished", errors);
        NonNegative(spec, "activeDeadlineSeconds", "spec.activeDeadlineSeconds", errors);
        if (spec["selector"] is not null && spec["manualSelector"]?.GetValue<bool>() != true)
        {
            errors.Add(FieldError.Invalid("spec.selector", spec["selector"]!.ToJsonString(), "`selector` will be auto-generated"));
        }

        var template = spec["template"] as JsonObject;
        Labels(template?["metadata"]?["labels"] as JsonObject, "spec.template.metadata.labels", errors);
        var podSpec = template?["spec"] as JsonObject;
        var restart = podSpec?["restartPolicy"]?.GetValue<string>() ?? "Always";
        if (restart is not ("Never" or "OnFailure"))
        {
            errors.Add(FieldError.Unsupported("spec.template.spec.restartPolicy", restart, "OnFailure", "Never"));
        }

        if (podSpec?["serviceAccountName"]?.GetValue<string>() is { Length: > 0 } account)
        {
            Name(account, "spec.template.spec.serviceAccountName", errors, maxLength: 253);
        }

        Containers(podSpec?["containers"] as JsonArray, "spec.template.spec.containers", errors);
        return errors;
    }

    /// <summary>A name made from <c>generateName</c>: the prefix (cut to 58 characters) and five random characters.</summary>
    public static string Generate(string prefix, Random random)
    {
        const string Alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var cut = prefix.Length > 58 ? prefix[..58] : prefix;
        return cut + string.Concat(Enumerable.Range(0, 5).Select(_ => Alphabet[random.Next(Alphabet.Length)]));
    }

    /// <summary>Millicores of a quantity; throws 400 for text that is not a quantity, as the real server's decoder does.</summary>
    public static long MilliCores(string quantity, string kind = "Job")
    {
        var match = QuantityPattern().Match(quantity);
        if (!match.Success)
        {
            throw FakeStatus.BadRequest(
                $"{kind} in version \"v1\" cannot be handled as a {kind}: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
        }

        var number = decimal.Parse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
        var factor = match.Groups[2].Value switch
        {
            "" => 1m,
            "m" => 0.001m,
            "k" => 1e3m,
            "M" => 1e6m,
            "G" => 1e9m,
            "Ki" => 1024m,
            "Mi" => 1024m * 1024,
            "Gi" => 1024m * 1024 * 1024,
            var e when e.StartsWith('e') || e.StartsWith('E') => (decimal)Math.Pow(10, int.Parse(e[1..], CultureInfo.InvariantCulture)),
            _ => 1m,
        };
        return (long)Math.Ceiling(number * factor * 1000);
    }

    private static void Containers(JsonArray? containers, string path, List<FieldError> errors)
    {
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i] as JsonObject;
            var at = $"{path}[{i}]";
            var name = container?["name"]?.GetValue<string>() ?? "";
            if (name.Length == 0)
            {
                errors.Add(FieldError.Required($"{at}.name"));
            }
            else if (!LabelName().IsMatch(name) || name.Length > 63)
            {
                errors.Add(FieldError.Invalid($"{at}.name", name,
                    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
            }
            else if (!names.Add(name))
            {
                errors.Add(new FieldError($"{at}.name", "FieldValueDuplicate", $"Duplicate value: \"{name}\""));
            }

            if (string.IsNullOrWhiteSpace(container?["image"]?.GetValue<string>()))
            {
                errors.Add(FieldError.Required($"{at}.image"));
            }

            if (container?["env"] is JsonArray env)
            {
                for (var j = 0; j < env.Count; j++)
                {
                    var envName = env[j]?["name"]?.GetValue<string>() ?? "";
                    if (envName.Length == 0)
                    {
                        errors.Add(FieldError.Required($"{at}.env[{j}].name"));
                    }
                    else if (!EnvName().IsMatch(envName))
                    {
                        errors.Add(FieldError.Invalid($"{at}.env[{j}].name", envName,
                            "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit"));
                    }
                }
            }

            Resources(container?["resources"] as JsonObject, $"{at}.resources", errors);
        }
    }

    private static void Resources(JsonObject? resources, string path, List<FieldError> errors)
    {
        var limits = Quantities(resources?["limits"] as JsonObject, $"{path}.limits", errors);
        var requests = Quantities(resources?["requests"] as JsonObject, $"{path}.requests", errors);
        foreach (var (resource, request) in requests)
        {
            if (limits.TryGetValue(resource, out var limit) && request.Milli > limit.Milli)
            {
                errors.Add(FieldError.Invalid($"{path}.requests", request.Text, $"must be less than or equal to {resource} limit of {limit.Text}"));
            }
        }
    }

    private static Dictionary<string, (string Text, long Milli)> Quantities(JsonObject? values, string path, List<FieldError> errors)
    {
        var parsed = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        if (values is null)
        {
            return parsed;
        }

        foreach (var (resource, node) in values)
        {
            var text = node?.GetValueKind() == System.Text.Json.JsonValueKind.Number
                ? node.ToJsonString()
                : node?.GetValue<string>() ?? "";
            var milli = MilliCores(text);
            if (milli < 0)
            {
                errors.Add(FieldError.Invalid($"{path}[{resource}]", text, "must be greater than or equal to 0"));
            }

            parsed[resource] = (text, milli);
        }

        return parsed;
    }

    private static void NonNegative(JsonObject spec, string key, string path, List<FieldError> errors)
    {
        if (spec[key] is { } value && value.GetValue<long>() < 0)
        {
            errors.Add(FieldError.Invalid(path, value.ToJsonString(), "must be greater than or equal to 0"));
        }
    }

    /// <summary>A DNS-1123 subdomain of at most <paramref name="maxLength"/> characters (Job names also become label values, so 63).</summary>
    public static void Name(string name, string path, List<FieldError> errors, int maxLength)
    {
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path, "name or generateName is required"));
        }
        else if (!SubdomainName().IsMatch(name))
        {
            errors.Add(FieldError.Invalid(path, name,
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
        else if (name.Length > maxLength)
        {
            errors.Add(new FieldError(path, "FieldValueTooLong", $"Too long: may not be more than {maxLength} bytes"));
        }
    }

    private static void Labels(JsonObject? labels, string path, List<FieldError> errors)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, node) in labels)
        {
            var slash = key.LastIndexOf('/');
            var prefix = slash < 0 ? null : key[..slash];
            var name = slash < 0 ? key : key[(slash + 1)..];
            if (prefix is not null && (!SubdomainName().IsMatch(prefix) || prefix.Length > 253) || !LabelValue().IsMatch(name) || name.Length > 63)
            {
                errors.Add(FieldError.Invalid(path, key,
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }

            var value = node?.GetValue<string>() ?? "";
            if (value.Length > 63 || value.Length > 0 && !LabelValue().IsMatch(value))
            {
                errors.Add(FieldError.Invalid($"{path}", value,
                    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }
        }
    }

    [GeneratedRegex(@"^([+-]?[0-9.]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex SubdomainName();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();

    [GeneratedRegex(@"^[-._a-zA-Z][-._a-zA-Z0-9]*$", RegexOptions.CultureInvariant)]
    private static partial Regex EnvName();
}
