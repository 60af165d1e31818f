namespace Quarry.Deploy.Tests;
public sealed class Scratch { [Fact] public void Nothing() { } }
