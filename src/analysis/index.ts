export type { AnalysisProgress, RunControl } from './abort';
export {
  type AnalyzeOptions,
  analyzeLayers,
  type HeldOutRecord,
  type LayerAnalysis,
  type LayerPairRecord,
  type StateRecord,
  splitTokens,
} from './analyzeLayers';
export { anisotropy, anisotropyFromGram, largestEigenvalue } from './anisotropy';
export { type Centered, centerColumns } from './center';
export { chanceFloor } from './chanceFloor';
export {
  type CholeskyFactor,
  COLLINEAR_TOLERANCE,
  cholesky,
  solveLowerRows,
  solveUpperRows,
} from './cholesky';
export { meanCosineSimilarity } from './cosineSimilarity';
export { distinctRows } from './distinctRows';
export {
  crossGram,
  gram,
  kernelKind,
  matmul,
  type ProductEngine,
  setProductEngine,
  setSimdKernel,
  simdKernelActive,
  smallerGram,
} from './gram';
export {
  assertFiniteStates,
  blockCount,
  firstNonFinite,
  type HiddenStates,
  hiddenStates,
  keptTokens,
  stateMatrix,
} from './hiddenStates';
export { type LayerMoments, layerMoments, mergeLayerMoments, momentScores } from './layerMoments';
export { type LinearityResult, linearityScore, type PairLinearity } from './linearity';
export {
  type HeldOutLinearity,
  heldOutLinearity,
  type LinearMap,
  linearMapFromFit,
  tokenResiduals,
} from './linearMap';
export { massiveNormTokens } from './massiveNormTokens';
export { type FeatureMajor, type Matrix, type Matrix64, matrix } from './matrix';
export { contiguousPairRuns, mergeLayerAnalyses, mergeReferenceFits } from './mergeLayerAnalyses';
export { klDivergenceRows, logSoftmaxRows, nextTokenLoss, topTokens } from './nextTokenMetrics';
export {
  fitReferenceMaps,
  type PerTokenNonlinearity,
  perTokenNonlinearity,
  type ReferenceFit,
  type ReferenceFitOptions,
  type ReferenceMap,
} from './perTokenNonlinearity';
export { quantile } from './quantile';
export { type TwoNNOptions, twoNN } from './twoNN';
export { updateNormRatio } from './updateNormRatio';
