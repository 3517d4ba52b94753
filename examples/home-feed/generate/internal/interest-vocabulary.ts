/**
 * Categories and object labels of the synthetic world. Each latent interest
 * gets one category and its labels; a few generic labels occur everywhere so
 * that label retrieval is useful but not perfect.
 */
export const INTEREST_VOCABULARY: ReadonlyArray<{ category: string; labels: readonly string[] }> = [
  { category: 'home_decor', labels: ['sofa', 'lamp', 'rug', 'cushion', 'shelf', 'mirror'] },
  { category: 'recipes', labels: ['pasta', 'salad', 'cake', 'soup', 'bread', 'cookie'] },
  { category: 'travel', labels: ['beach', 'mountain', 'castle', 'harbor', 'desert', 'temple'] },
  { category: 'womens_fashion', labels: ['dress', 'handbag', 'heels', 'scarf', 'earring', 'coat'] },
  { category: 'diy_crafts', labels: ['yarn', 'glue', 'paper', 'scissors', 'bead', 'paint'] },
  { category: 'fitness', labels: ['dumbbell', 'yoga_mat', 'sneaker', 'kettlebell', 'treadmill', 'bottle'] },
  { category: 'gardening', labels: ['tomato', 'rose', 'pot', 'shovel', 'succulent', 'hose'] },
  { category: 'art', labels: ['canvas', 'sculpture', 'sketch', 'easel', 'brush', 'frame'] },
  { category: 'weddings', labels: ['bouquet', 'veil', 'ring', 'arch', 'tuxedo', 'invitation'] },
  { category: 'cars', labels: ['wheel', 'engine', 'convertible', 'truck', 'headlight', 'dashboard'] },
  { category: 'technology', labels: ['laptop', 'keyboard', 'headphones', 'monitor', 'phone', 'drone'] },
  { category: 'pets', labels: ['dog', 'cat', 'leash', 'aquarium', 'parrot', 'kennel'] },
  { category: 'mens_fashion', labels: ['suit', 'watch', 'boot', 'tie', 'jacket', 'sunglasses'] },
  { category: 'kids', labels: ['toy', 'crib', 'stroller', 'crayon', 'puzzle', 'teddy'] },
  { category: 'photography', labels: ['camera', 'lens', 'tripod', 'sunset', 'portrait', 'film'] },
  { category: 'architecture', labels: ['facade', 'staircase', 'bridge', 'tower', 'window', 'column'] },
];

/** Labels that show up in pins of any interest. */
export const GENERIC_LABELS: readonly string[] = ['person', 'text', 'plant', 'table'];

/** Category and labels of interest i; beyond the vocabulary, synthetic names. */
export function interestVocabulary(i: number): { category: string; labels: readonly string[] } {
  if (i < INTEREST_VOCABULARY.length) return INTEREST_VOCABULARY[i];
  return { category: `topic_${i}`, labels: Array.from({ length: 6 }, (_, j) => `topic_${i}_label_${j}`) };
}
