using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Quarry.Core.Hosting;

/// <summary>The one way an endpoint says it cannot answer yet: 503, a problem naming why, and when to retry.</summary>
public static class Unavailable
{
    /// <summary>A 503 problem with a Retry-After of <paramref name="retryAfterSeconds"/>.</summary>
    public static ProblemHttpResult Problem(HttpContext context, string title, string detail, int retryAfterSeconds = 5)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: title);
    }

    /// <summary>The answer of an endpoint whose <paramref name="model"/> model is not loaded yet.</summary>
    public static ProblemHttpResult ModelNotReady(HttpContext context, string model) =>
        Problem(context, "Model not ready", $"No {model} model is loaded yet; training may still be running. Retry shortly.");

    /// <summary>
    /// An endpoint filter that answers 503 when the endpoint throws an exception for which <paramref name="applies"/> is
    /// true (a store, backend or executor that is down), with <paramref name="title"/> and the detail <paramref name="detail"/> makes.
    /// </summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> When(
        Func<Exception, bool> applies, string title, Func<Exception, string> detail)
    {
        ArgumentNullException.ThrowIfNull(applies);
        ArgumentNullException.ThrowIfNull(detail);
        return async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Exception e) when (applies(e))
            {
                return Problem(context.HttpContext, title, detail(e));
            }
        };
    }
}
