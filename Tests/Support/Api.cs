using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Engage.Functions.Http;
using Microsoft.AspNetCore.Mvc;

namespace Engage.Tests.Support;

/// <summary>
/// Reads answers into the contract's own records, strictly: a field the record does not know, or a
/// constructor parameter the answer lacks, fails the read. A renamed field therefore fails a test.
/// </summary>
public static class Api
{
    public static readonly JsonSerializerOptions Strict = CreateStrict();

    private static JsonSerializerOptions CreateStrict()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        EngageJson.Apply(options);
        options.TypeInfoResolverChain.Add(new DefaultJsonTypeInfoResolver());
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectRequiredConstructorParameters = true;
        options.RespectNullableAnnotations = true;
        options.MakeReadOnly();
        return options;
    }

    /// <summary>The body as <typeparamref name="T"/>; fails on any field <typeparamref name="T"/> does not declare.</summary>
    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<T>(Strict) ?? throw new JsonException($"The body is not a {typeof(T).Name}.");

    /// <summary>GET <paramref name="path"/> until it answers 200 with a body <paramref name="done"/> accepts; the last such body, or null.</summary>
    public static Task<T?> GetWhenAsync<T>(this HttpClient client, string path, Func<T, bool> done, TimeSpan? timeout = null)
        where T : class =>
        Eventually.Until(async () =>
        {
            using var response = await client.GetAsync(path);
            return response.IsSuccessStatusCode ? await response.ReadAsync<T>() : null;
        }, b => b is not null && done(b), timeout);

    /// <summary>GET <paramref name="path"/> and read it as <typeparamref name="T"/>, asserting 200.</summary>
    public static async Task<T> GetOkAsync<T>(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadAsync<T>();
    }

    /// <summary>Asserts an RFC 9457 problem with the status, a title and a detail, and no stack trace.</summary>
    public static async Task<ProblemDetails> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadAsync<ProblemDetails>();
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        Assert.DoesNotContain("   at ", problem.Detail, StringComparison.Ordinal);
        return problem;
    }
}
