using Xunit.Abstractions;
using Xunit.Sdk;

namespace ZeroGym.Envs.Testing;

/// <summary>
/// A test case that reports a <see cref="CheckSkippedException"/> as a skip with its reason rather than as a failure
/// (xunit 2 has no skip decided at run time).
/// </summary>
public sealed class ConformanceTestCase : XunitTestCase
{
    /// <summary>For xunit's deserialisation only.</summary>
    [Obsolete("Called by xunit's deserialisation only")]
    public ConformanceTestCase()
    {
    }

    /// <summary>A test case for <paramref name="testMethod"/>.</summary>
    public ConformanceTestCase(IMessageSink diagnosticMessageSink, TestMethodDisplay display, TestMethodDisplayOptions options, ITestMethod testMethod)
        : base(diagnosticMessageSink, display, options, testMethod)
    {
    }

    /// <inheritdoc/>
    public override async Task<RunSummary> RunAsync(
        IMessageSink diagnosticMessageSink, IMessageBus messageBus, object[] constructorArguments, ExceptionAggregator aggregator, CancellationTokenSource cancellationTokenSource)
    {
        var skipping = new SkippingMessageBus(messageBus);
        var summary = await base.RunAsync(diagnosticMessageSink, skipping, constructorArguments, aggregator, cancellationTokenSource);
        summary.Failed -= skipping.Skipped;
        summary.Skipped += skipping.Skipped;
        return summary;
    }

    /// <summary>Passes every message on, turning the failure of a skipped check into a skip.</summary>
    private sealed class SkippingMessageBus(IMessageBus inner) : IMessageBus
    {
        public int Skipped { get; private set; }

        public bool QueueMessage(IMessageSinkMessage message)
        {
            if (message is ITestFailed failed && failed.ExceptionTypes.FirstOrDefault() == typeof(CheckSkippedException).FullName)
            {
                Skipped++;
                return inner.QueueMessage(new TestSkipped(failed.Test, failed.Messages[0]));
            }

            return inner.QueueMessage(message);
        }

        // The bus belongs to xunit, which disposes it.
        public void Dispose()
        {
        }
    }
}
