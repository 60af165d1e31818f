namespace Quarry.Learn.Association;

/// <summary>Rule Antecedent -> Consequent with its support count, confidence sup(X∪y)/sup(X) and lift confidence/(sup(y)/N).</summary>
public sealed record AssociationRule(int[] Antecedent, int Consequent, int Support, double Confidence, double Lift);
