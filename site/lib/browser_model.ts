/** Where the `/train/` page saves the model it trained, and `/draw/?model=browser` loads it. */
export const BROWSER_MODEL = "indexeddb://litconv-browser-trained";
