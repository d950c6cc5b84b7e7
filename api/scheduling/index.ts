// Image-aware pod placement: interactive pods where their image is, the rest anywhere (preferably there).
export { placementFor, withPlacement, isReady, matchesLabels, type Scope, type Placement, type PlacementFacts } from "./placement.js";
export { ImagePlacer, NODE, IMAGE_LOCATION, ORCHEST_CLUSTER } from "./image-placer.js";
