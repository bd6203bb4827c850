using System.Globalization;
using System.Net;
using System.Text;
using Fme.MLNet.Cluster.Grains;
using Fme.MLNet.Cluster.Jobs;
using SixLabors.ImageSharp;

namespace Fme.ClusterHost;

/// <summary>
/// The status page every silo serves: <c>/</c> lists the batches with their progress, failures and a poster frame (the
/// first frame, as PNG) of each finished video; <c>/api/batches/{id}</c> gives the progress as JSON.
/// </summary>
internal static class StatusPage
{
    private const int PostersPerBatch = 200;

    public static void Map(WebApplication app)
    {
        app.MapGet("/", async (IGrainFactory grains) => Results.Content(await Render(grains), "text/html; charset=utf-8"));
        app.MapGet("/api/batches/{id}", async (string id, IGrainFactory grains) =>
        {
            var batch = grains.GetGrain<IBatchGrain>(id);
            return await batch.GetSpec() is null ? Results.NotFound() : Results.Json(await batch.GetProgress());
        });
        app.MapGet("/poster/{id}/{**job}", async (string id, string job, IGrainFactory grains) =>
        {
            // Only outputs the batch recorded are served: the path comes from the shard, never from the request.
            var finished = (await grains.GetGrain<IBatchGrain>(id).GetFinished()).FirstOrDefault(j => j.JobId == job);
            if (finished is null || !File.Exists(finished.OutputPath))
            {
                return Results.NotFound();
            }
            using var gif = await Image.LoadAsync(finished.OutputPath);
            using var first = gif.Frames.CloneFrame(0);
            var png = new MemoryStream();
            await first.SaveAsPngAsync(png);
            return Results.File(png.ToArray(), "image/png");
        });
    }

    private static async Task<string> Render(IGrainFactory grains)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Fme.MLNet batches</title>")
            .Append("<style>body{font-family:sans-serif} td,th{padding:2px 8px} img{width:96px;image-rendering:pixelated}</style>")
            .Append("</head><body><h1>Batches</h1>");
        foreach (var id in await grains.GetGrain<IBatchDirectoryGrain>(0).GetBatches())
        {
            var batch = grains.GetGrain<IBatchGrain>(id);
            var p = await batch.GetProgress();
            var rate = p.VideosPerMinute is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-";
            var eta = p.EstimatedTimeLeft is { } t ? t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : "-";
            html.Append(CultureInfo.InvariantCulture, $"<section class=\"batch\" data-batch=\"{E(id)}\"><h2>{E(id)}{(p.IsCancelled ? " (cancelled)" : "")}</h2>")
                .Append("<table class=\"progress\"><tr><th>done</th><th>running</th><th>failed</th><th>pending</th><th>cancelled</th><th>videos/min</th><th>time left</th></tr>")
                .Append(CultureInfo.InvariantCulture,
                    $"<tr><td class=\"done\">{p.Done}</td><td class=\"running\">{p.Running}</td><td class=\"failed\">{p.Failed}</td><td class=\"pending\">{p.Pending}</td><td>{p.Cancelled}</td><td>{rate}</td><td>{eta}</td></tr></table>");
            if (p.Failures.Count > 0)
            {
                html.Append("<h3>Failures</h3><ul class=\"failures\">");
                foreach (var f in p.Failures)
                {
                    html.Append(CultureInfo.InvariantCulture, $"<li><b>{E(f.JobId)}</b> after {f.Attempts} attempt(s): {E(f.Error)}</li>");
                }
                html.Append("</ul>");
            }
            html.Append("<div class=\"posters\">");
            foreach (var job in await batch.GetFinished(PostersPerBatch))
            {
                html.Append(CultureInfo.InvariantCulture,
                    $"<figure><img class=\"poster\" alt=\"{E(job.JobId)}\" src=\"/poster/{Uri.EscapeDataString(id)}/{string.Join('/', job.JobId.Split('/').Select(Uri.EscapeDataString))}\"><figcaption>{E(job.JobId)}</figcaption></figure>");
            }
            html.Append("</div></section>");
        }
        // Marks each poster once the browser has decoded it (what the page's test reads back).
        html.Append("<script>for (const img of document.querySelectorAll('img.poster')) {")
            .Append("const mark = () => img.dataset.decoded = img.naturalWidth > 0 ? img.naturalWidth + 'x' + img.naturalHeight : 'broken';")
            .Append("if (img.complete) mark(); else { img.addEventListener('load', mark); img.addEventListener('error', mark); } }</script>")
            .Append("</body></html>");
        return html.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
