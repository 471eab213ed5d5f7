import { createContext } from "react";

/** Whether the views may colour their text; false under NO_COLOR or FORCE_COLOR=0. */
export const ColorContext = createContext(true);
