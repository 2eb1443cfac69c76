using PaletteCluster.Data.Tasks;
using PaletteCluster.Imaging;

namespace PaletteCluster.Data.Tests.Tasks;

public class JpegQualityTests
{
    private const int Draws = 10_000;
    // Chi-square critical value for 25 degrees of freedom (26 qualities - 1) at p = 0.001.
    private const double ChiSquareCritical25At001 = 52.620;

    [Fact]
    public void DefaultRate_IsThePapersMinusOneTenth()
    {
        Assert.Equal(-0.1, new JpegRestorationTask().Rate);
        Assert.Equal(JpegRestorationTask.PaperRate, new JpegRestorationTask().Rate);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(0.1)]
    [InlineData(0.0)]
    public void ExactProbabilities_FollowExpRateQ(double rate)
    {
        var p = JpegRestorationTask.QualityProbabilities(rate);
        Assert.Equal(26, p.Length);
        Assert.Equal(1.0, p.Sum(), 12);
        for (int i = 0; i + 1 < p.Length; i++) Assert.Equal(Math.Exp(rate), p[i + 1] / p[i], 10);
    }

    [Theory]
    [InlineData(-0.1, 2024UL)]
    [InlineData(0.1, 2025UL)]
    public void TenThousandDraws_MatchTheExponentialLaw(double rate, ulong seed)
    {
        var task = new JpegRestorationTask(rate);
        var rng = TaskTestImages.Rng(seed);
        var counts = new int[26];
        double sum = 0;
        for (int i = 0; i < Draws; i++)
        {
            int q = task.DrawQuality(ref rng);
            Assert.InRange(q, 5, 30);
            counts[q - 5]++;
            sum += q;
        }
        var p = JpegRestorationTask.QualityProbabilities(rate);
        double chi2 = 0;
        for (int i = 0; i < 26; i++)
        {
            double e = Draws * p[i];
            chi2 += (counts[i] - e) * (counts[i] - e) / e;
        }
        Assert.True(chi2 < ChiSquareCritical25At001, $"chi-square {chi2:F2} >= {ChiSquareCritical25At001} (rate {rate})");

        double mean = 0, second = 0;
        for (int i = 0; i < 26; i++) { mean += p[i] * (i + 5); second += p[i] * (i + 5) * (i + 5); }
        double sdOfMean = Math.Sqrt((second - mean * mean) / Draws);
        Assert.InRange(sum / Draws, mean - 4 * sdOfMean, mean + 4 * sdOfMean);
    }

    [Fact]
    public void PositiveRate_FlipsTheSkew()
    {
        var neg = new JpegRestorationTask(-0.1);
        var pos = new JpegRestorationTask(+0.1);
        var r1 = TaskTestImages.Rng(1);
        var r2 = TaskTestImages.Rng(1);
        double mNeg = 0, mPos = 0;
        int lowNeg = 0, lowPos = 0;
        for (int i = 0; i < Draws; i++)
        {
            int a = neg.DrawQuality(ref r1), b = pos.DrawQuality(ref r2);
            mNeg += a; mPos += b;
            if (a <= 10) lowNeg++;
            if (b <= 10) lowPos++;
        }
        Assert.True(mNeg / Draws < 15.5, $"mean {mNeg / Draws} with rate -0.1"); // exact ~14.2
        Assert.True(mPos / Draws > 19.5, $"mean {mPos / Draws} with rate +0.1"); // exact ~20.8
        Assert.True(lowNeg > 2 * lowPos);
        // The two laws are mirror images around 17.5: P_-(Q) = P_+(35 - Q).
        var pn = JpegRestorationTask.QualityProbabilities(-0.1);
        var pp = JpegRestorationTask.QualityProbabilities(0.1);
        for (int i = 0; i < 26; i++) Assert.Equal(pn[i], pp[25 - i], 12);
    }

    [Fact]
    public void Condition_IsTheJpegRoundTripOfTheTarget_LowerQualityHurtsMore()
    {
        var task = new JpegRestorationTask();
        var img = TaskTestImages.Gradient(300, 200);
        var rng = TaskTestImages.Rng(8);
        var (sample, q) = task.MakeWithQuality(img, 64, ref rng);
        Assert.InRange(q, 5, 30);
        // Replay the draws: crop, then quality.
        var replay = TaskTestImages.Rng(8);
        var target = task.Crops.Apply(img, 64, ref replay);
        Assert.Equal(q, task.DrawQuality(ref replay));
        Assert.Equal(ImageTensors.ToChw(target), sample.Target);
        Assert.Equal(ImageTensors.ToChw(JpegCodec.RoundTrip(target, q)), sample.Condition);
        Assert.NotEqual(sample.Target, sample.Condition);

        double Err(int quality)
        {
            var c = ImageTensors.ToChw(JpegCodec.RoundTrip(target, quality));
            return c.Zip(sample.Target, (a, b) => Math.Abs(a - b)).Average();
        }
        Assert.True(Err(5) > Err(30), $"Q5 error {Err(5)} vs Q30 {Err(30)}");
        Assert.Equal(JpegCodec.Encode(target, 12), JpegCodec.Encode(target, 12));
    }
}
