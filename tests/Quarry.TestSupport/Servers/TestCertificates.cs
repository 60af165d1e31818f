using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Quarry.TestSupport.Servers;

/// <summary>A throwaway CA and a server certificate it issued for 127.0.0.1 and localhost, written as PEM files into a temp directory.</summary>
public sealed class TestCertificates : IDisposable
{
    private readonly TempDirectory _directory = new("quarry-tls-");

    /// <summary>The folder holding the files; removed on dispose.</summary>
    public string Directory => _directory.Path;

    /// <summary>The CA's certificate, which clients trust.</summary>
    public string CaCertificatePath => Path.Combine(Directory, "ca.crt");

    /// <summary>The server's certificate (CN and SAN 127.0.0.1, localhost).</summary>
    public string ServerCertificatePath => Path.Combine(Directory, "server.crt");

    /// <summary>The server's private key (PKCS#8 PEM).</summary>
    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    /// <summary>Makes a CA and a server certificate valid for a day.</summary>
    public static TestCertificates Create()
    {
        var certificates = new TestCertificates();
        var now = DateTimeOffset.UtcNow;
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest("CN=Quarry test CA", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        using var ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));

        using var serverKey = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        using var server = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(16));

        File.WriteAllText(certificates.CaCertificatePath, ca.ExportCertificatePem());
        File.WriteAllText(certificates.ServerCertificatePath, server.ExportCertificatePem());
        File.WriteAllText(certificates.ServerKeyPath, serverKey.ExportPkcs8PrivateKeyPem());
        return certificates;
    }

    public void Dispose() => _directory.Dispose();
}
