namespace Fme.MLNet.Cluster.Grains;

/// <summary>The grain storage provider the cluster's grains keep their state in.</summary>
public static class StorageNames
{
    /// <summary>The provider's name: register it as memory storage or ADO.NET storage (see <c>ClusterStorage</c>).</summary>
    public const string Jobs = "fme-jobs";
}
