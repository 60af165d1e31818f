namespace Quarry.Redis;

/// <summary>The end of a list that LMOVE / BLMOVE take from or push to.</summary>
public enum RedisListSide
{
    Left,
    Right,
}
