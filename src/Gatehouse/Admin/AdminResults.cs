using Gatehouse.Accounts.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gatehouse.Admin;

/// <summary>
/// The one translation of the shared services' answers into HTTP (RFC 9457 problem details): bad input is a
/// validation problem naming each field, a missing target 404, a name already taken 409. Every endpoint of the API
/// answers through these, so none has its own wording or status codes.
/// </summary>
internal static class AdminResults
{
    public static IResult Refused(AdminRefusal refusal) => refusal.Kind switch
    {
        RefusalKind.NotFound => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: refusal.Message),
        RefusalKind.Conflict => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Already exists", detail: refusal.Message),
        _ => TypedResults.ValidationProblem(
            refusal.Errors.GroupBy(error => error.Field).ToDictionary(group => group.Key, group => group.Select(error => error.Message).ToArray()),
            detail: refusal.Message,
            title: "Invalid request"),
    };

    /// <summary>200 with the value, typed as <see cref="IResult"/> so that an endpoint can answer it or a problem.</summary>
    public static IResult Ok<T>(T value) => TypedResults.Ok(value);

    public static IResult Created<T>(string location, T value) => TypedResults.Created(location, value);

    /// <summary>204 when the change was made, else the refusal.</summary>
    public static IResult Done(AdminRefusal? refusal) => refusal is null ? TypedResults.NoContent() : Refused(refusal);

    public static IResult NotFound(string what, string name) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No {what} '{name}'.");

    /// <summary>A required JSON property the client left out, named as the refusal of the service would name it.</summary>
    public static IResult Missing(string field) => Refused(AdminRefusal.Invalid(field, $"'{field}' is required."));

    /// <summary>A change: needs a write key; documented with the problems it can answer.</summary>
    public static RouteHandlerBuilder Change(this RouteHandlerBuilder endpoint, string summary) => endpoint
        .RequireAuthorization(AdminAuthorization.Write)
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status404NotFound)
        .WithSummary(summary + " Needs a write key.");
}
